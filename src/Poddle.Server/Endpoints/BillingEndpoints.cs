using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Billing;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

internal static class BillingEndpoints
{
    public static IEndpointRouteBuilder MapBillingEndpoints(this IEndpointRouteBuilder app)
    {
        var billing = app.MapGroup("/api/billing").WithTags("Billing").RequireAuthorization();

        billing.MapGet("/balance", GetBalance)
            .WithSummary("Your balance (integer minor units with the ISO 4217 currency code)");

        billing.MapGet("/transactions", ListTransactions)
            .WithSummary("Your ledger, newest first; ?offset=&limit= (at most 200)")
            .ProducesValidationProblem();

        billing.MapGet("/usage", GetUsage)
            .WithSummary("This month's usage by deployment and resource, with the estimate to the month's end");

        billing.MapGet("/usage/{deploymentId:guid}/runs", ListRuns)
            .WithSummary("The replica runs behind one deployment's usage this month, newest first: each pod's start and stop as recorded")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var admin = app.MapGroup("/api/admin/billing").WithTags("Admin").RequireAuthorization(AuthenticationSetup.AdminPolicy);

        admin.MapGet("/users/{id:guid}/transactions", ListUserTransactions)
            .WithSummary("Any user's ledger (admin only)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        admin.MapPost("/users/{id:guid}/credits", CreditUser)
            .WithSummary("Credit a user: a grant or a refund, recorded with the admin who made it (admin only)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Ok<BalanceResponse>> GetBalance(ClaimsPrincipal caller, BillingService service, CancellationToken ct) =>
        TypedResults.Ok((await service.GetBalanceAsync(caller.UserId(), ct)).ToResponse());

    private static async Task<Results<Ok<LedgerPageResponse>, ProblemResult>> ListTransactions(ClaimsPrincipal caller, BillingService service, CancellationToken ct, int offset = 0, int limit = 50) =>
        (await service.ListTransactionsAsync(caller.UserId(), offset, limit, ct)).ToHttp(page => TypedResults.Ok(page.ToResponse()));

    private static async Task<Ok<UsageResponse>> GetUsage(ClaimsPrincipal caller, BillingService service, CancellationToken ct) =>
        TypedResults.Ok((await service.GetUsageAsync(caller.UserId(), ct)).ToResponse());

    private static async Task<Results<Ok<IReadOnlyList<ReplicaRunResponse>>, ProblemResult>> ListRuns(Guid deploymentId, ClaimsPrincipal caller, BillingService service, CancellationToken ct) =>
        (await service.ListRunsAsync(caller.UserId(), deploymentId, ct))
            .ToHttp(runs => TypedResults.Ok<IReadOnlyList<ReplicaRunResponse>>([.. runs.Select(r => new ReplicaRunResponse(r.ReplicaId, r.Revision, r.CpuMillicores, r.MemoryMb, r.StartedAt, r.StoppedAt))]));

    private static async Task<Results<Ok<LedgerPageResponse>, ProblemResult>> ListUserTransactions(Guid id, BillingService service, CancellationToken ct, int offset = 0, int limit = 50) =>
        (await service.ListTransactionsOfUserAsync(id, offset, limit, ct)).ToHttp(page => TypedResults.Ok(page.ToResponse()));

    private static async Task<Results<Created<LedgerEntryResponse>, ProblemResult>> CreditUser(Guid id, AdminCreditRequest request, ClaimsPrincipal caller, BillingService service, CancellationToken ct) =>
        (await service.CreditAsync(caller.UserId(), id, request.Kind, request.AmountMinor, request.Reason, request.Reference, ct))
            .ToHttp(entry => TypedResults.Created($"/api/admin/billing/users/{id}/transactions", entry.ToResponse()));
}
