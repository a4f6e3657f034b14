namespace Consent.TestSupport;

/// <summary>The real clock, moved forward by the test (set with <see cref="Ahead"/> or moved with <see cref="Advance"/>).</summary>
public sealed class MovableClock : TimeProvider
{
    private long aheadTicks;

    public TimeSpan Ahead
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref aheadTicks));
        set => Interlocked.Exchange(ref aheadTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref aheadTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref aheadTicks, by.Ticks);
}
