namespace Poddle.Cli.Tests.Deploy;

/// <summary>A test that runs Debian's Prometheus or promtool: skipped where the package is missing, except on CI (<see cref="PrometheusTools.SkipReason"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute()
    {
        Skip = PrometheusTools.SkipReason;
    }
}
