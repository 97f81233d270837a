
namespace Poddle.Cli.Deployments;

/// <summary>What the deploy flags say (null or empty: not given).</summary>
internal sealed record DeployFlags(
    string? Name,
    string? Image,
    string? Command,
    int? Port,
    IReadOnlyList<string> Env,
    IReadOnlyList<string> Secrets,
    int? Replicas,
    string? Cpu,
    string? Memory,
    string? HealthPath,
    string? Driver)
{
    public bool ReadOnlyRootFilesystem { get; init; }

    public bool RunAsNonRoot { get; init; }

    public string? User { get; init; }

    public IReadOnlyList<string> CapAdd { get; init; } = [];

    public string? RegistryServer { get; init; }

    public string? RegistryUsername { get; init; }
}
