using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod.Api;

namespace Poddle.Drivers.RunPod.Tests;

// RunPod failing a share of all calls at random (seeded): reads get through on retries, and a rent either made exactly
// one pod or failed and made none — never two for one request. The breaker's state is a metric.
public sealed partial class RunPodPodDriverTests
{
    [Fact]
    public async Task Chaos_ThirtyPercentOfCallsFail_ReadsGetThrough_EveryRentIsOnePodOrNone()
    {
        var driver = Driver();
        Fake.Faults.FailureRate = 0.3;
        var started = new List<PodHandle>();
        var failed = 0;

        for (var i = 0; i < 20; i++)
        {
            try
            {
                started.Add(await driver.StartAsync(Spec(), Timeout()));
            }
            catch (PodDriverException ex) when (ex.Kind == PodFailureKind.DriverUnavailable)
            {
                failed++;
            }
        }

        var states = new List<PodState>();
        foreach (var handle in started)
        {
            states.Add((await driver.InspectAsync(handle, Timeout())).State);
        }

        var listed = await ListAsync(driver, new Dictionary<string, string> { [PodLabels.Id] = _runId });
        Assert.InRange(failed, 1, 19);
        Assert.Equal(started.Select(h => h.PodId).Order(), Fake.Pods.Select(p => p.Id).Order());
        Assert.Equal(started.Select(h => h.PodId).Order(), listed.Select(h => h.PodId).Order());
        Assert.All(states, s => Assert.Equal(PodState.Running, s));
        Assert.False(driver.CircuitOpen);
    }

    [Fact]
    public async Task Circuit_State_IsTheGaugeCircuitOpenPerKeyHash()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var circuits = new RunPodCircuits(NullLogger<RunPodCircuits>.Instance, services.GetRequiredService<IMeterFactory>());
        var options = RunPodTestDriver.Options(Fake);
        options.MaxRetries = 0;
        var driver = RunPodTestDriver.Create(options, circuits);
        Fake.Faults.FailNextRequests(1000, 503);
        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<PodDriverException>(() => driver.GetAccountAsync(Timeout()));
        }

        var measured = new List<(int Value, string? Key)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == RunPodCircuits.MeterName && instrument.Name == "circuit_open")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => measured.Add((value, tags.ToArray().Single(t => t.Key == "key").Value as string)));
        listener.Start();
        listener.RecordObservableInstruments();

        var (open, key) = Assert.Single(measured);
        Assert.Equal(1, open);
        Assert.Matches("^[0-9A-F]{12}$", key);
        Assert.DoesNotContain(Fake.ApiKey, key!, StringComparison.Ordinal);
    }
}
