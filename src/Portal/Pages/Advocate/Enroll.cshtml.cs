using System.Globalization;
using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// Enrols a survivor at the advocate's agency: no name, only the preferred language and, for the rules about minors, the
/// date of birth. The API gives the pseudonymous id; the advocate lands on the new survivor's page (where a minor's
/// decision-maker is set next).
/// </summary>
public sealed class EnrollModel(ConsentApiClient api, IStringLocalizer<AdvocateStrings> text, ILogger<EnrollModel> logger) : PageModel
{
    private static readonly Dictionary<string, string> FieldOfType = new(StringComparer.Ordinal)
    {
        ["unsupported-language"] = "preferredLanguage",
    };

    public EnrollForm Form { get; private set; } = new();

    public AdvocateRefusal? Refusal { get; private set; }

    public ApiStatus? NotDone { get; private set; }

    public void OnGet()
    {
        Form = new EnrollForm { PreferredLanguage = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName };
    }

    public async Task<IActionResult> OnPostAsync([FromForm] EnrollForm form, CancellationToken cancellationToken)
    {
        Form = form;
        DateOnly? dateOfBirth = null;
        if (!string.IsNullOrWhiteSpace(form.DateOfBirth))
        {
            if (!DateOnly.TryParseExact(form.DateOfBirth.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var born))
            {
                // Not a date at all: the API is never asked, the field says why.
                Refusal = AdvocateRefusal.Of(new ApiProblem(400, "invalid-request", new Dictionary<string, string[]> { ["dateOfBirth"] = [""] }), text);
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }

            dateOfBirth = born;
        }

        var answer = await api.EnrollAsync(new EnrollSurvivorBody(NullIfEmpty(form.PreferredLanguage), dateOfBirth), cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value: { } survivor })
        {
            AdvocateLog.Enrolled(logger, survivor.Id);
            return Redirect($"/advocate/survivors/{Uri.EscapeDataString(survivor.Id)}?done=enrolled");
        }

        AdvocateLog.EnrolRefused(logger, answer.Status, answer.Problem?.Type ?? "none");
        if (answer is { Status: ApiStatus.Refused, Problem: { } problem })
        {
            Refusal = AdvocateRefusal.Of(problem, text, FieldOfType);
            Response.StatusCode = problem.Status;
        }
        else
        {
            NotDone = answer.Status;
            Response.StatusCode = answer.Status is ApiStatus.SignInAgain ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        }

        return Page();
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public sealed class EnrollForm
    {
        public string? PreferredLanguage { get; set; }

        /// <summary>As the date field sends it (<c>yyyy-MM-dd</c>); kept as typed so a refused form shows it again.</summary>
        public string? DateOfBirth { get; set; }
    }
}
