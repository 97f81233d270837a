namespace Poddle.Cli;

/// <summary>The process exit codes of `poddle`. Scripts may rely on them; never renumber.</summary>
public enum ExitCode
{
    /// <summary>The command did what was asked.</summary>
    Ok = 0,

    /// <summary>The command failed: the server refused, was unreachable, or the configuration is wrong.</summary>
    Error = 1,

    /// <summary>The command line is wrong: unknown command or option, missing argument, bad value.</summary>
    Usage = 2,

    /// <summary>`poddle deploy` (or another waiting command): the deployment failed or was rolled back; the message says why.</summary>
    DeploymentFailed = 3,

    /// <summary>
    /// A waiting command gave up at its --timeout: `poddle deploy` (the deployment was not ready; it may still become
    /// ready) or `poddle submit` (the submission was not graded yet; it may still be).
    /// </summary>
    Timeout = 4,

    /// <summary>`poddle submit`: graded, and at least one test (public or hidden) did not pass.</summary>
    TestsFailed = 5,

    /// <summary>`poddle agent`: a validation check (--require-file, --validate-command, --require-free-port) failed; the app was not started (EX_CONFIG).</summary>
    AgentValidationFailed = 78,

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    Cancelled = 130,
}
