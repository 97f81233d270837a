namespace Poddle.Cli.Commands.Hosting;

/// <summary>
/// Whether a sandbox pod can start with the server's data directory (a throwaway pod, as /readyz checks it);
/// <c>Checked</c> is false when the data directory does not exist yet (`poddle serve` creates it).
/// </summary>
internal sealed record PodsReport(bool Checked, bool Ok, string StateDirectory, string Detail);
