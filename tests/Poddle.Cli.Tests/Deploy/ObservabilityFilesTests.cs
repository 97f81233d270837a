namespace Poddle.Cli.Tests.Deploy;

/// <summary>How <see cref="ObservabilityFiles"/> reads PromQL and Grafana's variables: the scrape test relies on it to name the series each query needs.</summary>
public sealed class ObservabilityFilesTests
{
    [Theory]
    [InlineData("up{job=~\"poddle.*\"} == 0", "up")]
    [InlineData("sum by (pool, le) (rate(poddle_pools_task_processing_seconds_bucket{pool=~\".*\"}[1m]))", "poddle_pools_task_processing_seconds_bucket")]
    [InlineData("max by (pool) (a_seconds) > on (pool) group_left (state) max without (le) (b_seconds offset 5m)", "a_seconds b_seconds")]
    [InlineData("histogram_quantile(0.95, sum(rate(x_bucket{endpoint!~\".*/(job-take|stream)\"}[5m]))) > 1e3 and bool count(y)", "x_bucket y")]
    [InlineData("label_replace(z, \"dst\", \"$1\", \"src\", \"(.*)\") unless on () vector(1) > Inf", "z")]
    public void MetricNames_Expression_NamesOnlyTheSelectors(string expr, string expected)
    {
        Assert.Equal(expected.Split(' '), ObservabilityFiles.MetricNames(expr));
    }

    [Fact]
    public void Substitute_GrafanaVariables_AreReplacedAndAnUnknownOneThrows()
    {
        Assert.Equal("rate(x{pool=~\".*\"}[1m])", ObservabilityFiles.Substitute("rate(x{pool=~\"$pool\"}[$__rate_interval])"));
        Assert.Equal("x{instance=~\".*\"}", ObservabilityFiles.Substitute("x{instance=~\"${instance}\"}"));
        Assert.Throws<InvalidOperationException>(() => ObservabilityFiles.Substitute("x{team=\"$team\"}"));
    }

    [Fact]
    public void DashboardQueries_EveryDashboard_HasQueriesOnTheDataSourceVariable()
    {
        var queries = ObservabilityFiles.DashboardQueries();

        Assert.Equal(
            string.Join(", ", PrometheusTools.DashboardFiles.Select(f => Path.GetFileName(f))),
            string.Join(", ", queries.Select(q => q.Dashboard).Distinct().Order(StringComparer.Ordinal)));
        foreach (var file in PrometheusTools.DashboardFiles)
        {
            var text = File.ReadAllText(file);
            Assert.Contains("\"uid\": \"${DS_PROMETHEUS}\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"uid\": \"prometheus\"", text, StringComparison.Ordinal);
        }
    }
}
