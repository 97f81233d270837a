namespace Poddle.Client;

/// <summary>No answer from the server at all: connection refused, unknown host, TLS failure or timeout.</summary>
public sealed class PoddleConnectionException : Exception
{
    public PoddleConnectionException(Uri server, string reason, Exception? innerException = null)
        : base($"Could not reach the Poddle server at {server}: {reason}", innerException)
    {
        Server = server;
        Reason = reason;
    }

    public PoddleConnectionException()
    {
        Reason = string.Empty;
    }

    public PoddleConnectionException(string message)
        : base(message)
    {
        Reason = message;
    }

    public PoddleConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>The server address that did not answer.</summary>
    public Uri? Server { get; }

    /// <summary>What went wrong, in a few words ("connection refused").</summary>
    public string Reason { get; }
}
