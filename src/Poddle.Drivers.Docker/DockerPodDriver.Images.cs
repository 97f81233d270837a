using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

/// <summary>Images: presence, pulls (with a private registry's credentials), and a missing image's message.</summary>
public sealed partial class DockerPodDriver
{
    /// <summary>
    /// What a pod whose image is missing is told: the image, whether a pull was tried and from which registry, why it
    /// failed in the engine's words, what that usually means, and how to get the image onto the engine.
    /// </summary>
    internal static string ImageNotFoundMessage(string image, DockerImagePullPolicy policy, string? pullError, bool withCredentials)
    {
        const string Load = "Load it on the engine's host with `docker load -i image.tar` (made with `docker save` where the image exists)";
        if (policy == DockerImagePullPolicy.Never || pullError is null)
        {
            return $"image {image} is not on this Docker Engine and Docker:ImagePullPolicy is Never, so no registry was asked. {Load}, or set Docker:ImagePullPolicy to IfNotPresent.";
        }

        var registry = PodRegistryAuth.RegistryOf(image);
        var where = registry == PodRegistryAuth.DockerHub ? "docker.io (Docker Hub)" : registry;
        var lower = pullError.ToLowerInvariant();
        string hint;
        if (lower.Contains("no such host", StringComparison.Ordinal) || lower.Contains("dial tcp", StringComparison.Ordinal) || lower.Contains("i/o timeout", StringComparison.Ordinal)
            || lower.Contains("connection refused", StringComparison.Ordinal) || lower.Contains("network is unreachable", StringComparison.Ordinal)
            || lower.Contains("timeout exceeded", StringComparison.Ordinal) || lower.Contains("tls handshake", StringComparison.Ordinal))
        {
            hint = $"The engine could not reach {registry} (no internet access, DNS or a proxy?).";
        }
        else if (lower.Contains("unauthorized", StringComparison.Ordinal) || lower.Contains("denied", StringComparison.Ordinal) || lower.Contains("authentication required", StringComparison.Ordinal)
            || lower.Contains("auth credentials", StringComparison.Ordinal))
        {
            hint = withCredentials
                ? $"{registry} refused the deployment's registryAuth credentials, or they have no access to this repository."
                : $"{registry} refused: the repository does not exist or is private (give the deployment registryAuth for a private registry).";
        }
        else if (lower.Contains("manifest unknown", StringComparison.Ordinal) || lower.Contains("not found", StringComparison.Ordinal))
        {
            hint = $"{registry} has no such repository or tag.";
        }
        else
        {
            hint = "The pull failed.";
        }

        // Bounded: it becomes a deployment's status reason (at most 1000 characters stored); the engine's words come first to go.
        var said = pullError.TrimEnd('.');
        said = said.Length <= 300 ? said : said[..299] + "…";
        var message = $"image {image} is not on this Docker Engine and pulling it from {where} failed: {said}. {hint} {Load}, or push it to a registry this engine reaches (a private one with the deployment's registryAuth).";
        return message.Length <= 950 ? message : message[..949] + "…";
    }

    /// <summary>The image's inspect (for its USER), pulling it first as <see cref="DockerImagePullPolicy"/> says.</summary>
    private async Task<ImageInspectResponse> EnsureImageAsync(string image, PodRegistryAuth? auth, CancellationToken cancellationToken)
    {
        var present = await TryInspectImageAsync(image, cancellationToken);
        var pull = _options.ImagePullPolicy switch
        {
            DockerImagePullPolicy.Always => true,
            DockerImagePullPolicy.IfNotPresent => present is null,
            _ => false,
        };
        string? pullError = null;
        if (pull)
        {
            pullError = await PullAsync(image, auth, cancellationToken);

            // A registry that is unreachable or says no: an image the engine has still runs (policy Always).
            present = await TryInspectImageAsync(image, cancellationToken) ?? present;
        }

        return present ?? throw new PodDriverException(
            PodFailureKind.ImageNotFound,
            ImageNotFoundMessage(image, pull ? _options.ImagePullPolicy : DockerImagePullPolicy.Never, pullError ?? (pull ? "the engine pulled nothing" : null), auth?.IsFor(image) == true));
    }

    /// <summary>Pulls the image; null when it worked, else the engine's reason (an error answer or an error in the progress stream).</summary>
    private async Task<string?> PullAsync(string image, PodRegistryAuth? auth, CancellationToken cancellationToken)
    {
        var parameters = new ImagesCreateParameters { FromImage = image };
        var lastSlash = image.LastIndexOf('/');
        if (!image.Contains('@', StringComparison.Ordinal) && image.LastIndexOf(':') <= lastSlash)
        {
            // Without a tag the engine would pull every tag of the repository.
            parameters.Tag = "latest";
        }

        var progress = new PullProgress();
        try
        {
            await _client.Images.CreateImageAsync(parameters, ToAuthConfig(image, auth), progress, cancellationToken);
        }
        catch (DockerApiException ex)
        {
            var detail = Describe(ex);
            LogPullFailed(_logger, image, ex.StatusCode, detail);
            return detail;
        }

        if (progress.Error is { } error)
        {
            LogPullFailed(_logger, image, HttpStatusCode.OK, error);
            return error;
        }

        return null;
    }

    /// <summary>
    /// The credentials for the pull (the engine sends them as X-Registry-Auth to the registry only); none when the
    /// image comes from another registry than the credentials' (never given to a registry they are not for).
    /// </summary>
    private static AuthConfig? ToAuthConfig(string image, PodRegistryAuth? auth) =>
        auth is not null && auth.IsFor(image)
            ? new AuthConfig { ServerAddress = auth.Server, Username = auth.Username, Password = auth.Password }
            : null;

    private async Task<ImageInspectResponse?> TryInspectImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.Images.InspectImageAsync(image, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            // 400: a reference the engine cannot parse is an image it does not have.
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "docker: pulling image {Image} failed ({Status}): {Detail}")]
    private static partial void LogPullFailed(ILogger logger, string image, HttpStatusCode status, string detail);

    /// <summary>Keeps the pull stream's error, synchronously: a pull that fails mid-way answers 200 and reports the error in the stream.</summary>
    private sealed class PullProgress : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error?.Message is { Length: > 0 } message)
            {
                Error = message;
            }
        }
    }
}
