using System.Collections;

namespace Poddle.Cli;

/// <summary>
/// Everything `poddle` takes from the outside world: standard streams, environment variables, the config
/// directory, the network. The process uses <see cref="FromProcess"/>; tests pass writers and a temp directory.
/// </summary>
public sealed class CliEnvironment
{
    public const string ConfigDirVariable = "PODDLE_CONFIG_DIR";
    public const string ServerVariable = "PODDLE_SERVER";
    public const string TokenVariable = "PODDLE_TOKEN";

    /// <summary>Set (to anything): unexpected failures print their stack trace.</summary>
    public const string DebugVariable = "PODDLE_DEBUG";

    /// <summary>Set (to anything): no colours (https://no-color.org).</summary>
    public const string NoColorVariable = "NO_COLOR";

    /// <summary>Where the config directory is, when <see cref="ConfigDirVariable"/> is not set (the XDG base directory spec).</summary>
    public const string XdgConfigHomeVariable = "XDG_CONFIG_HOME";

    /// <summary>The port `poddle static` listens on when --port is not given (as platforms that run pods set it).</summary>
    public const string PortVariable = "PORT";

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Standard output as bytes (`poddle run` writes a program's output exactly); null writes through <see cref="Out"/> as UTF-8.</summary>
    public Stream? OutStream { get; init; }

    /// <summary>Standard error as bytes; null writes through <see cref="Error"/> as UTF-8.</summary>
    public Stream? ErrorStream { get; init; }

    /// <summary>Standard input and output are a terminal: prompts are allowed.</summary>
    public bool IsInteractive { get; init; }

    /// <summary>Standard output is a terminal: colours and terminal width apply.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Standard error is a terminal.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Where config.json lives (see <see cref="DefaultConfigDirectory"/>).</summary>
    public required string ConfigDirectory { get; init; }

    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The host name used to name the API token `poddle login` creates ("cli@host").</summary>
    public string MachineName { get; init; } = Environment.MachineName;

    /// <summary>A handler for every HTTP call (tests); null for the default.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>The directory relative paths and the app file (`poddle.toml`) are looked up in.</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>The clock (ages in tables, `--since`, deploy timeouts).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How often `poddle deploy` polls the deployment while it waits.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public static CliEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                variables[key] = value;
            }
        }

        return new CliEnvironment
        {
            Out = Console.Out,
            Error = Console.Error,
            In = Console.In,
            OutStream = Console.OpenStandardOutput(),
            ErrorStream = Console.OpenStandardError(),
            IsInteractive = !Console.IsInputRedirected && !Console.IsOutputRedirected,
            OutputIsTerminal = !Console.IsOutputRedirected,
            ErrorIsTerminal = !Console.IsErrorRedirected,
            ConfigDirectory = DefaultConfigDirectory(variables),
            Variables = variables,
        };
    }

    /// <summary>$PODDLE_CONFIG_DIR, else $XDG_CONFIG_HOME/poddle, else ~/.config/poddle.</summary>
    public static string DefaultConfigDirectory(IReadOnlyDictionary<string, string> variables)
    {
        if (variables.TryGetValue(ConfigDirVariable, out var explicitDir) && explicitDir.Length > 0)
        {
            return Path.GetFullPath(explicitDir);
        }

        if (variables.TryGetValue(XdgConfigHomeVariable, out var xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "poddle");
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "poddle");
    }

    public string? Variable(string name) => Variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
