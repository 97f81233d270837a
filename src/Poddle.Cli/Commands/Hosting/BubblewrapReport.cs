namespace Poddle.Cli.Commands.Hosting;

/// <summary>bubblewrap: where it is expected, whether it is there, and its version.</summary>
internal sealed record BubblewrapReport(string Path, bool Found, string? Version);
