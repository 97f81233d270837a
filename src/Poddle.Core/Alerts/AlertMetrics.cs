using System.Diagnostics.Metrics;

namespace Poddle.Core.Alerts;

/// <summary>
/// Alert metrics on the .NET Meter "Poddle.Alerts", exported at /metrics as <c>poddle_alerts_*</c>:
/// <c>firing{level}</c> (incidents firing now, every server's: the last count this server read from the database) and
/// <c>sent_total{receiver,outcome}</c> (messages delivered by this server: receiver a <see cref="AlertReceiverKinds"/>
/// value, outcome <c>sent</c>, <c>failed</c> (to be retried) or <c>dead</c> (out of tries)).
/// </summary>
public sealed class AlertMetrics : IDisposable
{
    public const string MeterName = "Poddle.Alerts";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Dead = "dead";

    private readonly Meter _meter;
    private readonly Counter<long> _sent;
    private long _info;
    private long _warning;
    private long _critical;

    public AlertMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _sent = _meter.CreateCounter<long>("sent_total", description: "Alert messages delivered, by receiver kind and outcome (sent, failed, dead)");
        _meter.CreateObservableGauge("firing", Firing, description: "Alert incidents firing now, by level");
    }

    /// <summary>Sets the firing counts (from <see cref="AlertIncidents.CountFiringAsync"/>).</summary>
    public void SetFiring(IReadOnlyDictionary<AlertLevel, int> firing)
    {
        ArgumentNullException.ThrowIfNull(firing);
        Interlocked.Exchange(ref _info, firing.GetValueOrDefault(AlertLevel.Info));
        Interlocked.Exchange(ref _warning, firing.GetValueOrDefault(AlertLevel.Warning));
        Interlocked.Exchange(ref _critical, firing.GetValueOrDefault(AlertLevel.Critical));
    }

    /// <summary>Counts one delivery attempt's outcome.</summary>
    public void Delivered(string receiver, string outcome) => _sent.Add(1, new("receiver", receiver), new("outcome", outcome));

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Firing() =>
    [
        new(Interlocked.Read(ref _info), new KeyValuePair<string, object?>("level", AlertLevelNames.Info)),
        new(Interlocked.Read(ref _warning), new KeyValuePair<string, object?>("level", AlertLevelNames.Warning)),
        new(Interlocked.Read(ref _critical), new KeyValuePair<string, object?>("level", AlertLevelNames.Critical)),
    ];
}
