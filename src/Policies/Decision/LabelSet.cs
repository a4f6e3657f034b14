namespace Consent.Policies;

/// <summary>
/// The sensitive labels as a bit set, so that a decision combines labels without allocating:
/// the arrays obligations hand out are built once per combination and shared.
/// </summary>
internal static class LabelSet
{
    // Ordinal order, which is also the order Rego's sort() gives.
    internal static readonly string[] Codes =
    [
        SecurityLabels.SubstanceAbuse,
        SecurityLabels.Hiv,
        SecurityLabels.Immigration,
        SecurityLabels.MentalHealth,
        SecurityLabels.SexualViolence,
        SecurityLabels.SubstanceUse,
    ];

    internal const int All = (1 << 6) - 1;

    /// <summary>SUD and ETH: never opened by a 51A basis; their disclosure carries the 42 CFR 2.32 notice.</summary>
    internal static readonly int Substance = Bit(SecurityLabels.SubstanceUse) | Bit(SecurityLabels.SubstanceAbuse);

    private static readonly string[][] ListByMask = BuildLists(invert: false);
    private static readonly string[][] ComplementByMask = BuildLists(invert: true);

    internal static int Bit(string? label)
    {
        if (label is null)
        {
            return 0;
        }

        for (var i = 0; i < Codes.Length; i++)
        {
            if (string.Equals(Codes[i], label, StringComparison.OrdinalIgnoreCase))
            {
                return 1 << i;
            }
        }

        return 0;
    }

    internal static int Of(IReadOnlyList<string>? labels)
    {
        if (labels is null)
        {
            return 0;
        }

        var mask = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            mask |= Bit(labels[i]);
        }

        return mask;
    }

    internal static string[] List(int mask) => ListByMask[mask & All];

    internal static string[] Complement(int mask) => ComplementByMask[mask & All];

    private static string[][] BuildLists(bool invert)
    {
        var lists = new string[All + 1][];
        for (var mask = 0; mask <= All; mask++)
        {
            var effective = invert ? ~mask & All : mask;
            var list = new List<string>();
            for (var i = 0; i < Codes.Length; i++)
            {
                if ((effective & (1 << i)) != 0)
                {
                    list.Add(Codes[i]);
                }
            }

            lists[mask] = [.. list];
        }

        return lists;
    }
}
