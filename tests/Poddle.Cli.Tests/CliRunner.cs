using Poddle.Testing;

namespace Poddle.Cli.Tests;

/// <summary>
/// Runs the real CLI entry point in process with captured output, a private config directory and, when given,
/// `--server` pointing at a test server.
/// </summary>
public sealed class CliRunner : IDisposable
{
    public const string MachineName = "test-host";

    public CliRunner(Uri? server = null, string? configDirectory = null)
    {
        Server = server;
        ConfigDirectory = configDirectory ?? Path.Combine(Path.GetTempPath(), "poddle-cli-" + Guid.NewGuid().ToString("N")[..12], "config");
    }

    public Uri? Server { get; }

    public string ConfigDirectory { get; }

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public string ConfigFile => Path.Combine(ConfigDirectory, "config.json");

    /// <summary>The working directory the CLI sees (where it looks for poddle.toml).</summary>
    public string WorkingDirectory { get; set; } = Environment.CurrentDirectory;

    /// <summary>How often `poddle deploy` polls (short in tests).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    public Task<CliRun> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs with <paramref name="cancellationToken"/> standing for Ctrl+C.</summary>
    public async Task<CliRun> RunCancellableAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new CliEnvironment
        {
            Out = TextWriter.Synchronized(stdout),
            Error = TextWriter.Synchronized(stderr),
            ConfigDirectory = ConfigDirectory,
            Variables = Variables,
            MachineName = MachineName,
            WorkingDirectory = WorkingDirectory,
            PollInterval = PollInterval,
        };
        var all = Server is null ? args : [.. args, "--server", Server.ToString()];
        var exitCode = await CliApp.RunAsync(all, environment, cancellationToken);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    public async Task<CliRun> RunWithInputAsync(string? stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(stdin ?? string.Empty);
        var environment = new CliEnvironment
        {
            Out = stdout,
            Error = stderr,
            In = input,
            ConfigDirectory = ConfigDirectory,
            Variables = Variables,
            MachineName = MachineName,
            WorkingDirectory = WorkingDirectory,
            PollInterval = PollInterval,
        };
        var all = Server is null ? args : [.. args, "--server", Server.ToString()];
        var exitCode = await CliApp.RunAsync(all, environment, CancellationToken.None);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>register + login through the CLI; returns the login run.</summary>
    public async Task<CliRun> RegisterAndLoginAsync(string username, string password = "correct-horse-battery")
    {
        var registered = await RunWithInputAsync(password + "\n", "register", "--username", username, "--email", $"{username}@example.test", "--password-stdin");
        Assert.True(registered.ExitCode == 0, registered.ToString());
        var login = await RunWithInputAsync(password + "\n", "login", "--username", username, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return login;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(ConfigDirectory)!, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was written.
        }
    }
}
