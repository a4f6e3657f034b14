using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// The break-glass review queue, oldest first, with a review form under each record. The form posts to the portal
/// (with its antiforgery token), which sends the review to the API; the API decides what a valid review is, and the
/// fields it refuses are shown beside the form's fields.
/// </summary>
public sealed class BreakGlassModel(ConsentApiClient api) : PageModel
{
    public const string Justified = "justified";
    public const string NotJustified = "not-justified";

    public ApiAnswer<List<BreakGlassRecord>> Queue { get; private set; } = ApiAnswer<List<BreakGlassRecord>>.Unavailable;

    /// <summary>The review just posted, when it must be shown again (refused, or the API could not be reached).</summary>
    public ReviewForm? Posted { get; private set; }

    /// <summary>Why the posted review was not recorded; null when it was, or nothing was posted.</summary>
    public ApiAnswer<BreakGlassRecord>? PostOutcome { get; private set; }

    /// <summary>A review was recorded just before this page (the redirect after a successful post).</summary>
    public bool Reviewed { get; private set; }

    public async Task OnGetAsync(string? reviewed, CancellationToken cancellationToken)
    {
        Reviewed = reviewed == "1";
        await LoadQueueAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostReviewAsync([FromForm] ReviewForm review, CancellationToken cancellationToken)
    {
        var outcome = review.Outcome switch
        {
            Justified => ReviewOutcome.Justified,
            NotJustified => ReviewOutcome.NotJustified,
            _ => (ReviewOutcome?)null,
        };
        var answer = await api.ReviewBreakGlassAsync(review.RecordId, new BreakGlassReview(outcome, review.Note), cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            return RedirectToPage(new { reviewed = "1" });
        }

        Posted = review;
        PostOutcome = answer;
        await LoadQueueAsync(cancellationToken);
        Response.StatusCode = answer.FailureStatusCode;
        return Page();
    }

    /// <summary>The posted values for this record, so a refused review keeps what the officer wrote.</summary>
    public ReviewForm FormFor(BreakGlassRecord record) =>
        Posted is { } posted && posted.RecordId == record.Id ? posted : new ReviewForm { RecordId = record.Id };

    /// <summary>The API's refusal of the review posted for this record, if any.</summary>
    public ApiProblem? ProblemFor(BreakGlassRecord record) =>
        Posted is { } posted && posted.RecordId == record.Id ? PostOutcome?.Problem : null;

    private async Task LoadQueueAsync(CancellationToken cancellationToken) =>
        Queue = await api.GetBreakGlassQueueAsync(cancellationToken);

    public sealed class ReviewForm
    {
        public Guid RecordId { get; set; }

        /// <summary><c>justified</c> or <c>not-justified</c>; anything else is sent as no outcome, which the API refuses.</summary>
        public string? Outcome { get; set; }

        public string? Note { get; set; }
    }
}
