using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Poddle.Contracts;
using Poddle.Core.Deployments;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

internal static class SourceEndpoints
{
    private static readonly string[] AcceptedTypes = ["application/gzip", "application/x-gzip", "application/octet-stream"];

    public static IEndpointRouteBuilder MapSourceEndpoints(this IEndpointRouteBuilder app)
    {
        var maxBytes = app.ServiceProvider.GetRequiredService<IOptions<DeploymentOptions>>().Value.MaxSourceBytes;

        app.MapPost("/api/projects/{projectId:guid}/sources", UploadSource)
            .WithTags("Deployments")
            .RequireAuthorization()
            .Accepts<Stream>("application/gzip", "application/octet-stream")

            // One byte over the limit reaches the service, which answers 413 naming the limit.
            .WithMetadata(new BodySizeLimit(maxBytes + 1))
            .WithSummary("Upload a source bundle (tar.gz) for command deployments; use its id as sourceId")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        return app;
    }

    private static async Task<Results<Created<SourceBundleResponse>, ProblemResult>> UploadSource(
        Guid projectId, HttpRequest http, ClaimsPrincipal caller, SourceBundleService service, CancellationToken ct)
    {
        var mediaType = http.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is null || !AcceptedTypes.Contains(mediaType))
        {
            const string message = "Send the bundle (a tar.gz of the app's directory) as application/gzip or application/octet-stream.";
            return Problems.Problem(
                StatusCodes.Status415UnsupportedMediaType, HttpErrorCodes.UnsupportedMediaType, "Unsupported media type", message,
                new Dictionary<string, string[]> { ["body"] = [message] });
        }

        return (await service.UploadAsync(caller.UserId(), projectId, http.Body, http.ContentLength, ct))
            .ToHttp(bundle => TypedResults.Created((string?)null, bundle.ToResponse()));
    }

    /// <summary>A per-endpoint request body limit (Kestrel honours <see cref="IRequestSizeLimitMetadata"/>).</summary>
    private sealed class BodySizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
