namespace Poddle.Cli.Tests.Deploy;

/// <summary>An alert rule: the file it is in, its name and its PromQL expression.</summary>
internal sealed record AlertRule(string File, string Name, string Expression);
