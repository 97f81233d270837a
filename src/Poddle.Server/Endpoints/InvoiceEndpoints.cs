using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Poddle.Contracts;
using Poddle.Core.Billing.Invoices;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>
/// Monthly invoices: the list, and one month as JSON, as a printable HTML page (<c>2026-12.html</c> or
/// <c>Accept: text/html</c>) or as CSV (<c>2026-12.csv</c> or <c>Accept: text/csv</c>).
/// </summary>
internal static class InvoiceEndpoints
{
    public static IEndpointRouteBuilder MapInvoiceEndpoints(this IEndpointRouteBuilder app)
    {
        var invoices = app.MapGroup("/api/billing/invoices").WithTags("Billing").RequireAuthorization();

        invoices.MapGet("/", List)
            .WithSummary("Your monthly invoices (UTC months), newest first, with their totals");

        invoices.MapGet("/{month}", Get)
            .WithSummary("One month's invoice: JSON, or HTML ({month}.html or Accept: text/html), or CSV ({month}.csv or Accept: text/csv)")
            .Produces<InvoiceResponse>()
            .Produces<string>(StatusCodes.Status200OK, "text/html", "text/csv")
            .ProducesValidationProblem();

        return app;
    }

    private static async Task<Ok<InvoiceListResponse>> List(ClaimsPrincipal caller, InvoiceService service, CancellationToken ct) =>
        TypedResults.Ok(new InvoiceListResponse([.. (await service.ListAsync(caller.UserId(), ct)).Select(s =>
            new InvoiceSummaryResponse(s.Month, s.From, s.To, s.Currency, s.OpeningMinor, s.ChargesMinor, s.PaymentsMinor, s.AdjustmentsMinor, s.ClosingMinor))]));

    private static async Task<Results<Ok<InvoiceResponse>, ContentHttpResult, FileContentHttpResult, ProblemResult>> Get(
        string month, HttpRequest request, ClaimsPrincipal caller, InvoiceService service, CancellationToken ct)
    {
        var format = FormatOf(ref month, request);
        var result = await service.GetAsync(caller.UserId(), month, ct);
        if (!result.IsSuccess)
        {
            return Problems.ToResult(result.Error);
        }

        var invoice = result.Value;
        return format switch
        {
            "html" => TypedResults.Text(InvoiceHtml.Render(invoice, await service.CustomerAsync(caller.UserId(), ct)), "text/html; charset=utf-8"),
            "csv" => TypedResults.File(System.Text.Encoding.UTF8.GetBytes(InvoiceCsv.Render(invoice)), "text/csv; charset=utf-8", $"poddle-invoice-{invoice.Month}.csv"),
            _ => TypedResults.Ok(ToResponse(invoice)),
        };
    }

    /// <summary>The format a suffix on the month asks for (removed from it), else the first of HTML or CSV the Accept header prefers, else JSON.</summary>
    private static string FormatOf(ref string month, HttpRequest request)
    {
        foreach (var suffix in new[] { "html", "csv", "json" })
        {
            if (month.EndsWith("." + suffix, StringComparison.OrdinalIgnoreCase))
            {
                month = month[..^(suffix.Length + 1)];
                return suffix;
            }
        }

        if (MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            foreach (var type in accepted.OrderByDescending(a => a.Quality ?? 1))
            {
                if (type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
                {
                    return "html";
                }

                if (type.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
                {
                    return "csv";
                }

                if (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
                {
                    return "json";
                }
            }
        }

        return "json";
    }

    private static InvoiceResponse ToResponse(Invoice i) => new(
        i.Month,
        i.From,
        i.To,
        i.Currency,
        i.OpeningMinor,
        [.. i.Charges.Select(c => new InvoiceChargeResponse(c.DeploymentId, c.Deployment, c.Hours, c.ReplicaSeconds, c.CpuMillicoreSeconds, c.MemoryMbSeconds, c.AmountMinor))],
        i.ChargesMinor,
        [.. i.Payments.Select(Entry)],
        i.PaymentsMinor,
        [.. i.Adjustments.Select(Entry)],
        i.AdjustmentsMinor,
        i.ClosingMinor);

    private static InvoiceEntryResponse Entry(InvoiceEntryLine e) => new(e.At, e.Kind, e.Reason, e.Reference, e.AmountMinor);
}
