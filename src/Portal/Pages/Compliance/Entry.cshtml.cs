using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// One entry of the disclosure log: everything the API records for it, its basis in plain words, and whether it is in the
/// latest signed tree head (the API's inclusion proof, checked here). The sequence number in the URL is a position in
/// the log, not anything about a person.
/// </summary>
public sealed class EntryModel(ConsentApiClient api) : PageModel
{
    public long Sequence { get; private set; }

    public ApiAnswer<LogEntryView> Entry { get; private set; } = ApiAnswer<LogEntryView>.Unavailable;

    public IReadOnlyList<AgencyView> Agencies { get; private set; } = [];

    public TreeHeadView? Head { get; private set; }

    public InclusionStatus Inclusion { get; private set; } = InclusionStatus.Unavailable;

    public async Task OnGetAsync(long sequence, CancellationToken cancellationToken)
    {
        Sequence = sequence;
        var agencies = api.GetAgenciesAsync(cancellationToken);
        Entry = await api.GetLogEntryAsync(sequence, cancellationToken);
        Agencies = (await agencies).Value ?? [];
        switch (Entry.Status)
        {
            case ApiStatus.Refused:
                Response.StatusCode = Entry.Problem!.Status;
                return;
            case ApiStatus.Unavailable:
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            case ApiStatus.SignInAgain:
                return;
        }

        var entry = Entry.Value!;
        var head = await api.GetTreeHeadAsync(cancellationToken);
        if (head.Value is not { } signed)
        {
            return;
        }

        Head = signed;
        if (entry.LeafIndex >= signed.TreeSize)
        {
            Inclusion = InclusionStatus.NotYetSigned;
            return;
        }

        var proof = await api.GetInclusionProofAsync(entry.LeafIndex, signed.TreeSize, cancellationToken);
        Inclusion = proof.Value is { } path ? InclusionCheck.Check(entry, signed, path) : InclusionStatus.Unavailable;
    }
}
