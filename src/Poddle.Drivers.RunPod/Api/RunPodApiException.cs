namespace Poddle.Drivers.RunPod.Api;

/// <summary>
/// A call to RunPod's API that failed: an HTTP status other than 200, or a GraphQL error (HTTP 200 with
/// <c>errors[]</c>). Never carries the API key. <see cref="Transient"/> failures are retried by the client.
/// </summary>
public sealed class RunPodApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RunPodApiException(string message, int? httpStatus, string? code, bool transient, Exception? innerException = null)
        : base(message, innerException)
    {
        HttpStatus = httpStatus;
        Code = code;
        Transient = transient;
    }

    /// <summary>Creates an exception for a failure that is not transient.</summary>
    public RunPodApiException()
        : this("RunPod's API failed.", null, null, false)
    {
    }

    /// <summary>Creates an exception for a failure that is not transient.</summary>
    public RunPodApiException(string message)
        : this(message, null, null, false)
    {
    }

    /// <summary>Creates an exception for a failure that is not transient.</summary>
    public RunPodApiException(string message, Exception innerException)
        : this(message, null, null, false, innerException)
    {
    }

    /// <summary>The HTTP status when it was not 200.</summary>
    public int? HttpStatus { get; }

    /// <summary>The GraphQL error's <c>extensions.code</c> ("INTERNAL_SERVER_ERROR").</summary>
    public string? Code { get; }

    /// <summary>A retry may succeed: a timeout, 429, 5xx, INTERNAL_SERVER_ERROR.</summary>
    public bool Transient { get; }

    /// <summary>RunPod has no machine for the request ("There are no longer any instances available ...").</summary>
    public bool IsNoCapacity => Message.Contains("no longer any instances available", StringComparison.OrdinalIgnoreCase);

    /// <summary>The key was refused (HTTP 401 or 403).</summary>
    public bool IsUnauthorized => HttpStatus is 401 or 403;
}
