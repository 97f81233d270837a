using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Alerts;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

internal static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/alerts").WithTags("Alerts").RequireAuthorization();

        alerts.MapGet("/", ListAlerts)
            .WithSummary("Your alert incidents firing now and those resolved recently, newest first (admins: everyone's and the operators')");

        alerts.MapGet("/settings", GetSettings)
            .WithSummary("Your alert receiver: webhook (shown by its origin), format and least level");

        alerts.MapPut("/settings", PutSettings)
            .WithSummary("Set your alert webhook {webhookUrl, format: json|slack|discord, minLevel: info|warning|critical}")
            .ProducesValidationProblem();

        return app;
    }

    private static async Task<Ok<IReadOnlyList<AlertResponse>>> ListAlerts(ClaimsPrincipal caller, AlertService service, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<AlertResponse>>([.. (await service.ListAsync(caller.UserId(), ct)).Select(ToResponse)]);

    private static async Task<Ok<AlertSettingsResponse>> GetSettings(ClaimsPrincipal caller, AlertService service, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(await service.GetSettingsAsync(caller.UserId(), ct)));

    private static async Task<Results<Ok<AlertSettingsResponse>, ProblemResult>> PutSettings(AlertSettingsRequest request, ClaimsPrincipal caller, AlertService service, CancellationToken ct) =>
        (await service.UpdateSettingsAsync(caller.UserId(), new AlertSettingsInput(request.WebhookUrl, request.Format, request.MinLevel), ct))
            .ToHttp(settings => TypedResults.Ok(ToResponse(settings)));

    private static AlertResponse ToResponse(AlertIncident i) =>
        new(i.Id, i.Key, AlertLevelNames.Of(i.Level), i.Title, i.Message, i.OwnerId, i.ResolvedAt is null, i.FiringSince, i.ResolvedAt, i.LastSentAt);

    private static AlertSettingsResponse ToResponse(AlertSettingsView v) => new(v.WebhookOrigin, v.Format, v.MinLevel, v.Email);
}
