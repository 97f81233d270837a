namespace Poddle.Cli.Tests.Deploy;

/// <summary>A dashboard query: the dashboard file, the panel (or variable) and its PromQL expression, variables unsubstituted.</summary>
internal sealed record DashboardQuery(string Dashboard, string Panel, string Expression);
