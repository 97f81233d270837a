namespace Poddle.Server.Piston;

/// <summary>The stable codes only the Piston-compatible API answers with (it shares the others with the rest of the API).</summary>
public static class PistonErrorCodes
{
    /// <summary>504: the run did not finish within the wait the Piston API allows.</summary>
    public const string ExecutionTimeout = "execution-timeout";
}
