using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Jobs;
using Poddle.Server.Auth;

namespace Poddle.Server.Endpoints;

internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(AuthenticationSetup.AdminPolicy);

        admin.MapGet("/queues", GetQueues)
            .WithSummary("Job queue depth, running, dead and oldest waiting age per job kind")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        return app;
    }

    private static async Task<Ok<QueuesResponse>> GetQueues(JobQueue queue, CancellationToken ct) =>
        TypedResults.Ok(new QueuesResponse([.. (await queue.GetStatsAsync(ct)).Select(s => s.ToResponse())]));

    private static QueueStatsResponse ToResponse(this QueueStats stats) =>
        new(stats.Kind, stats.Depth, stats.Scheduled, stats.Running, stats.Dead, stats.OldestWaiting?.TotalSeconds);
}
