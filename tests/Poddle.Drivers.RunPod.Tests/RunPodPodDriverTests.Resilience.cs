using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod.Api;

namespace Poddle.Drivers.RunPod.Tests;

// Retries of transient failures (never of a rent that RunPod may have carried out), the timeout per call, the circuit
// breaker per key.
public sealed partial class RunPodPodDriverTests
{
    [Theory]
    [InlineData(500)]
    [InlineData(429)]
    [InlineData(502)]
    public async Task Inspect_TransientHttpFailures_RetriedUntilRunPodAnswers(int status)
    {
        var driver = Driver();
        var handle = await driver.StartAsync(Spec(), Timeout());
        Fake.Faults.FailNextRequests(2, status);

        var running = await driver.InspectAsync(handle, Timeout());

        Assert.Equal(PodState.Running, running.State);
    }

    [Fact]
    public async Task Resume_InternalServerErrorInTheGraphQLError_IsRetried()
    {
        var driver = Driver();
        var handle = await driver.StartAsync(Spec(), Timeout());
        await driver.StopAsync(handle, TimeSpan.Zero, Timeout());
        Fake.Faults.InternalErrorOnNext("podResume", 2);

        await driver.ResumeAsync(handle, null, Timeout());

        Assert.Equal(3, Fake.Calls("podResume"));
        Assert.Equal(PodState.Running, (await driver.InspectAsync(handle, Timeout())).State);
    }

    [Fact]
    public async Task Start_Http500_NotRetried_ARentIsNeverRepeatedWhereRunPodMayHaveActed()
    {
        var driver = Driver();
        Fake.Faults.FailNextRequests(1, 500);

        var error = await Assert.ThrowsAsync<PodDriverException>(() => driver.StartAsync(Spec(), Timeout()));

        Assert.Equal(PodFailureKind.DriverUnavailable, error.Kind);
        Assert.Empty(Fake.Pods);
        var afterwards = await driver.StartAsync(Spec(), Timeout());
        Assert.Equal(afterwards.PodId, Assert.Single(Fake.Pods).Id);
    }

    [Fact]
    public async Task Start_Http503FromTheGateway_RetriedAndRentsOnePod()
    {
        var driver = Driver();
        Fake.Faults.FailNextRequests(2, 503);

        var handle = await driver.StartAsync(Spec(), Timeout());

        Assert.Equal(handle.PodId, Assert.Single(Fake.Pods).Id);
    }

    [Fact]
    public async Task Inspect_SlowAnswers_TimeOutPerCallAsDriverUnavailable()
    {
        var options = RunPodTestDriver.Options(Fake);
        options.CallTimeout = TimeSpan.FromMilliseconds(200);
        options.MaxRetries = 1;
        var driver = RunPodTestDriver.Create(options);
        var handle = await driver.StartAsync(Spec(), Timeout());
        Fake.Faults.Delay = TimeSpan.FromSeconds(3);

        var error = await Assert.ThrowsAsync<PodDriverException>(() => driver.InspectAsync(handle, Timeout()));

        Assert.Equal(PodFailureKind.DriverUnavailable, error.Kind);
        Assert.Contains("did not answer within", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Circuit_RepeatedFailures_OpensForThatKeyOnly_HealthSaysSo()
    {
        var circuits = new RunPodCircuits(NullLogger<RunPodCircuits>.Instance);
        var options = RunPodTestDriver.Options(Fake);
        options.MaxRetries = 0;
        var driver = RunPodTestDriver.Create(options, circuits);
        var sameKey = RunPodTestDriver.Create(options, circuits);
        var otherKey = RunPodTestDriver.Create(RunPodTestDriver.Options(Fake, apiKey: "rpa_OTHER"), circuits);
        Fake.Faults.FailNextRequests(1000, 500);

        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<PodDriverException>(() => driver.GetAccountAsync(Timeout()));
        }

        var callsBefore = Fake.Calls("myself");
        var refused = await Assert.ThrowsAsync<PodDriverException>(() => sameKey.GetAccountAsync(Timeout()));
        var health = await driver.CheckHealthAsync(Timeout());
        // The fake checks the key before it fails a request: the other key's call reaches RunPod and is refused there.
        var other = await Assert.ThrowsAsync<PodDriverException>(() => otherKey.GetAccountAsync(Timeout()));

        Assert.True(driver.CircuitOpen);
        Assert.True(sameKey.CircuitOpen);
        Assert.False(otherKey.CircuitOpen);
        Assert.Contains("circuit is open", refused.Message, StringComparison.Ordinal);
        Assert.False(health.Available);
        Assert.Contains("circuit open", health.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("circuit", other.Message, StringComparison.Ordinal);
        Assert.Equal(callsBefore, Fake.Calls("myself"));
    }

    [Fact]
    public async Task CheckHealth_AskedAgainSoon_KeptVerdictWithoutCallingRunPod()
    {
        var driver = Driver();

        var first = await driver.CheckHealthAsync(Timeout());
        var second = await driver.CheckHealthAsync(Timeout());

        Assert.True(first.Available, first.Detail);
        Assert.Same(first, second);
        Assert.Equal(1, Fake.Calls("myself"));
    }

    [Fact]
    public async Task CheckHealth_WrongKey_UnavailableSayingTheKeyWasRefused_WithoutTheKey()
    {
        var driver = RunPodTestDriver.Create(RunPodTestDriver.Options(Fake, apiKey: "rpa_WRONGKEY"));

        var health = await driver.CheckHealthAsync(Timeout());

        Assert.False(health.Available);
        Assert.Contains("refused the API key", health.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("rpa_WRONGKEY", health.Detail, StringComparison.Ordinal);
    }
}
