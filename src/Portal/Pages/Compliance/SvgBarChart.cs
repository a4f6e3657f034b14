using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace Consent.Portal.Pages.Compliance;

/// <summary>One stack of a bar chart: its key (for tests and the table), its name and its colour.</summary>
public sealed record ChartSeries(string Key, string Name, string Colour);

/// <summary>
/// A stacked bar chart drawn on the server as inline SVG: no script, no external file, nothing for the CSP to refuse
/// (colours are SVG attributes, not styles). It is one image to assistive technology (role="img", named by its title and
/// described by its desc); the page gives the same numbers as a table. The drawing is 360 units wide so that on a phone
/// its text is about the size of the page's.
/// </summary>
public static class SvgBarChart
{
    /// <summary>Colours for the series, each at least 3:1 against white (WCAG 1.4.11), told apart by a white edge as well.</summary>
    public static readonly string[] Palette = ["#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#5b3f8c", "#7f6000", "#444444"];

    private const double Width = 360, Height = 230, Left = 34, Right = 8, Top = 10, Bottom = 36;

    public static IHtmlContent Render(
        string id, string title, string description, IReadOnlyList<DateOnly> weeks, IReadOnlyList<ChartSeries> series,
        Func<DateOnly, string, int> count, Func<DateOnly, ChartSeries, int, string> barTitle)
    {
        var html = new HtmlContentBuilder();
        var totals = weeks.Select(w => series.Sum(s => count(w, s.Key))).ToList();
        var (top, step) = Scale(totals.Count == 0 ? 0 : totals.Max());
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var slot = plotWidth / Math.Max(1, weeks.Count);
        var barWidth = Math.Max(2, slot * 0.7);
        double Y(double value) => Top + plotHeight - (value / top * plotHeight);

        html.AppendHtml($"<svg class=\"chart\" id=\"{id}\" role=\"img\" viewBox=\"0 0 {N(Width)} {N(Height)}\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">");
        html.AppendHtml($"<title id=\"{id}-title\">").Append(title).AppendHtml("</title>");
        html.AppendHtml($"<desc id=\"{id}-desc\">").Append(description).AppendHtml("</desc>");

        // Grid lines and the count axis.
        for (var value = 0; value <= top; value += step)
        {
            var y = Y(value);
            html.AppendHtml($"<line x1=\"{N(Left)}\" x2=\"{N(Width - Right)}\" y1=\"{N(y)}\" y2=\"{N(y)}\" stroke=\"#8a8a8a\" stroke-width=\"{(value == 0 ? "1.5" : "0.5")}\"/>");
            html.AppendHtml($"<text x=\"{N(Left - 4)}\" y=\"{N(y + 4)}\" text-anchor=\"end\" font-size=\"11\" fill=\"#1b1b1b\">{value.ToString(CultureInfo.CurrentCulture)}</text>");
        }

        // Week labels: as many as fit without overlapping.
        var every = Math.Max(1, (int)Math.Ceiling(weeks.Count / 6.0));
        for (var i = 0; i < weeks.Count; i++)
        {
            var x = Left + (slot * i) + (slot / 2);
            if (i % every == 0)
            {
                html.AppendHtml($"<text x=\"{N(x)}\" y=\"{N(Height - Bottom + 16)}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#1b1b1b\">")
                    .Append(weeks[i].ToString("MM-dd", CultureInfo.InvariantCulture)).AppendHtml("</text>");
            }

            var stacked = 0;
            foreach (var each in series)
            {
                var value = count(weeks[i], each.Key);
                if (value == 0)
                {
                    continue;
                }

                var y = Y(stacked + value);
                var height = Y(stacked) - y;
                html.AppendHtml($"<rect x=\"{N(x - (barWidth / 2))}\" y=\"{N(y)}\" width=\"{N(barWidth)}\" height=\"{N(height)}\" fill=\"{each.Colour}\" stroke=\"#ffffff\" stroke-width=\"1\"");
                html.AppendHtml(" data-week=\"").Append(WeeklyCounts.Label(weeks[i])).AppendHtml("\" data-series=\"").Append(each.Key)
                    .AppendHtml($"\" data-count=\"{value.ToString(CultureInfo.InvariantCulture)}\"><title>").Append(barTitle(weeks[i], each, value))
                    .AppendHtml("</title></rect>");
                stacked += value;
            }
        }

        html.AppendHtml($"<text x=\"{N(Left + (plotWidth / 2))}\" y=\"{N(Height - 4)}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#1b1b1b\">")
            .Append(weeks.Count > 0 ? $"{WeeklyCounts.Label(weeks[0])} – {WeeklyCounts.Label(weeks[^1])}" : "").AppendHtml("</text>");
        html.AppendHtml("</svg>");
        return html;
    }

    /// <summary>A small square of the series' colour for the legend (decoration: the legend's text names the series).</summary>
    public static IHtmlContent Swatch(ChartSeries series) =>
        new HtmlString($"<svg class=\"swatch\" width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"14\" height=\"14\" fill=\"{series.Colour}\"/></svg>");

    /// <summary>The top of the count axis and its step: round numbers, at most about five lines.</summary>
    private static (int Top, int Step) Scale(int maximum)
    {
        if (maximum <= 0)
        {
            return (1, 1);
        }

        var raw = maximum / 4.0;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 5, 10 }.Select(f => f * magnitude).First(s => s >= raw);
        var whole = Math.Max(1, (int)Math.Ceiling(step));
        return ((int)Math.Ceiling(maximum / (double)whole) * whole, whole);
    }

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
