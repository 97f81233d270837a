namespace Poddle.Cli.Tests.Deploy;

/// <summary>
/// deploy/prometheus checked by Debian's promtool: the rule files are valid (`promtool check rules`), their unit tests
/// pass (`promtool test rules`), and every alert has a unit test where it fires and one where it does not.
/// </summary>
public sealed class PrometheusRulesTests
{
    [PrometheusFact]
    public async Task CheckRules_EveryRuleFile_IsValid()
    {
        var (exitCode, output) = await PrometheusTools.PromtoolAsync(["check", "rules", .. PrometheusTools.RuleFiles]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [PrometheusFact]
    public async Task TestRules_EveryUnitTest_Passes()
    {
        Assert.NotEmpty(PrometheusTools.RuleTestFiles);

        var (exitCode, output) = await PrometheusTools.PromtoolAsync(["test", "rules", .. PrometheusTools.RuleTestFiles]);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
    }

    [Fact]
    public void UnitTests_EveryAlert_IsTestedFiringAndNotFiring()
    {
        var alerts = ObservabilityFiles.Alerts();
        var tests = ObservabilityFiles.AlertTests();

        Assert.NotEmpty(alerts);
        var untested = alerts
            .SelectMany(a => new[] { (a.Name, Fires: true), (a.Name, Fires: false) })
            .Where(want => !tests.Contains(want))
            .Select(want => $"{want.Name} ({(want.Fires ? "firing" : "not firing")})")
            .ToList();
        Assert.True(untested.Count == 0, "alerts without a promtool unit test: " + string.Join(", ", untested));
        Assert.Empty(tests.Select(t => t.Alert).Except(alerts.Select(a => a.Name)));
    }
}
