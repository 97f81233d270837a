using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Billing;
using Poddle.Core.Billing.Payments;
using Poddle.Core.Billing.Payments.Click;
using Poddle.Core.Billing.Payments.Payme;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>
/// Payments: the caller's side (<c>providers</c>, <c>fund</c>, a payment's state) and the providers' inbound protocols,
/// Payme's Merchant API and Click's SHOP API callbacks. The inbound ones are anonymous to Poddle's own authentication:
/// Payme proves itself with Basic auth, Click with <c>sign_string</c>; a provider that is not configured is a 404.
/// </summary>
internal static class PaymentEndpoints
{
    /// <summary>The largest provider callback body read (Payme's and Click's requests are a few hundred bytes).</summary>
    public const int MaxCallbackBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapPaymentEndpoints(this IEndpointRouteBuilder app)
    {
        var billing = app.MapGroup("/api/billing").WithTags("Billing");

        billing.MapGet("/providers", GetProviders).RequireAuthorization()
            .WithSummary("The payment providers this server offers (configured ones only) and the limits of one top-up");

        billing.MapPost("/fund", Fund).RequireAuthorization()
            .WithSummary("Start a payment with a provider; returns the provider's pay link for the user")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        billing.MapGet("/payments/{id:long}", GetPayment).RequireAuthorization()
            .WithSummary("One of your payments and its state")
            .ProducesProblem(StatusCodes.Status404NotFound);

        billing.MapPost("/payme", Payme).AllowAnonymous().DisableAntiforgery()
            .WithSummary("Payme Merchant API (JSON-RPC; Payme calls it with Basic auth Paycom:<key>)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        billing.MapPost("/click/prepare", ClickPrepare)
            .AllowAnonymous().DisableAntiforgery()
            .WithSummary("Click SHOP API Prepare (action 0; form-encoded, signed)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        billing.MapPost("/click/complete", ClickComplete)
            .AllowAnonymous().DisableAntiforgery()
            .WithSummary("Click SHOP API Complete (action 1; form-encoded, signed)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static Ok<PaymentProvidersResponse> GetProviders(FundingService funding, Microsoft.Extensions.Options.IOptions<BillingOptions> options) =>
        TypedResults.Ok(new PaymentProvidersResponse(funding.OfferedProviders(), options.Value.Currency, FundingService.MinAmountMinor, FundingService.MaxAmountMinor));

    private static async Task<Results<Created<FundResponse>, ProblemResult>> Fund(FundRequest request, ClaimsPrincipal caller, FundingService funding, CancellationToken ct) =>
        (await funding.StartAsync(caller.UserId(), request.Provider, request.AmountMinor, ct)).ToHttp(start => TypedResults.Created(
            $"/api/billing/payments/{start.Payment.Id}",
            new FundResponse(start.Payment.Id, start.Payment.Provider, start.Payment.AmountMinor, start.Payment.Currency, MoneyFormat.Format(start.Payment.AmountMinor, start.Payment.Currency), start.Payment.State, start.PayUrl)));

    private static async Task<Results<Ok<PaymentResponse>, ProblemResult>> GetPayment(long id, ClaimsPrincipal caller, FundingService funding, CancellationToken ct) =>
        (await funding.GetAsync(caller.UserId(), id, ct)).ToHttp(p => TypedResults.Ok(
            new PaymentResponse(p.Id, p.Provider, p.AmountMinor, p.Currency, p.State, p.CreatedAt, p.PerformedAt, p.CancelledAt)));

    /// <summary>
    /// One JSON-RPC call. Payme always gets HTTP 200 with <c>result</c> or <c>error</c> and the request's <c>id</c>; the
    /// key is checked before anything is read from the database.
    /// </summary>
    private static async Task<Results<ContentHttpResult, ProblemResult>> Payme(HttpRequest request, PaymeMerchant merchant, Microsoft.Extensions.Options.IOptions<PaymeOptions> options, CancellationToken ct)
    {
        if (!options.Value.IsConfigured)
        {
            return NotOffered();
        }

        var body = await ReadBodyAsync(request, ct);
        JsonDocument? document = null;
        try
        {
            document = body is null ? null : JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
        }

        using (document)
        {
            var root = document?.RootElement;
            JsonNode? id = root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("id", out var idElement) ? JsonNode.Parse(idElement.GetRawText()) : null;
            PaymeReply reply;
            if (!merchant.IsAuthorized(request.Headers.Authorization.ToString()))
            {
                reply = PaymeReply.Fail(PaymeErrorCodes.InsufficientPrivilege);
            }
            else if (root is not { ValueKind: JsonValueKind.Object } call)
            {
                reply = PaymeReply.Fail(PaymeErrorCodes.ParseError);
            }
            else if (!call.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String
                || !call.TryGetProperty("params", out var parameters))
            {
                reply = PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "method");
            }
            else
            {
                reply = await merchant.HandleAsync(method.GetString()!, parameters, ct);
            }

            var response = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id };
            if (reply.Error is { } error)
            {
                response["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message(), ["data"] = error.Data };
            }
            else
            {
                response["result"] = reply.Result;
            }

            return TypedResults.Text(response.ToJsonString(), "application/json; charset=utf-8");
        }
    }

    private static Task<Results<ContentHttpResult, ProblemResult>> ClickPrepare(HttpRequest request, ClickMerchant merchant, CancellationToken ct) =>
        ClickAsync(request, merchant, prepare: true, ct);

    private static Task<Results<ContentHttpResult, ProblemResult>> ClickComplete(HttpRequest request, ClickMerchant merchant, CancellationToken ct) =>
        ClickAsync(request, merchant, prepare: false, ct);

    private static async Task<Results<ContentHttpResult, ProblemResult>> ClickAsync(HttpRequest request, ClickMerchant merchant, bool prepare, CancellationToken ct)
    {
        if (!merchant.IsConfigured)
        {
            return NotOffered();
        }

        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.HasFormContentType && request.ContentLength is null or <= MaxCallbackBytes)
        {
            foreach (var (key, value) in await request.ReadFormAsync(ct))
            {
                form[key] = value.ToString();
            }
        }

        var reply = prepare ? await merchant.PrepareAsync(form, ct) : await merchant.CompleteAsync(form, ct);
        var response = new JsonObject
        {
            ["click_trans_id"] = reply.ClickTransId,
            ["merchant_trans_id"] = reply.MerchantTransId,
        };
        if (prepare)
        {
            response["merchant_prepare_id"] = reply.MerchantPrepareId;
        }
        else
        {
            response["merchant_confirm_id"] = reply.MerchantConfirmId;
        }

        response["error"] = reply.Error;
        response["error_note"] = reply.ErrorNote;
        return TypedResults.Text(response.ToJsonString(), "application/json; charset=utf-8");
    }

    private static ProblemResult NotOffered() =>
        Problems.Problem(StatusCodes.Status404NotFound, Core.Common.ErrorCodes.NotFound, Problems.TitleOf(StatusCodes.Status404NotFound), "This payment provider is not configured on this server.");

    /// <summary>The body, or null when it is larger than <see cref="MaxCallbackBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxCallbackBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxCallbackBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
