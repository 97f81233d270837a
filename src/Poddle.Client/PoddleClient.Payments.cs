using System.Net.Http.Headers;
using Poddle.Contracts;

namespace Poddle.Client;

public sealed partial class PoddleClient
{
    public Task<PaymentProvidersResponse> GetPaymentProvidersAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/billing/providers", PoddleJsonContext.Default.PaymentProvidersResponse, cancellationToken);

    public Task<FundResponse> FundAsync(FundRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/billing/fund", request, PoddleJsonContext.Default.FundRequest, PoddleJsonContext.Default.FundResponse, cancellationToken);

    public Task<PaymentResponse> GetPaymentAsync(long id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/billing/payments/{id}", PoddleJsonContext.Default.PaymentResponse, cancellationToken);

    public Task<InvoiceListResponse> ListInvoicesAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/billing/invoices", PoddleJsonContext.Default.InvoiceListResponse, cancellationToken);

    public Task<InvoiceResponse> GetInvoiceAsync(string month, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/billing/invoices/{Uri.EscapeDataString(month)}", PoddleJsonContext.Default.InvoiceResponse, cancellationToken);

    /// <summary>GET /api/billing/invoices/{month} as a document: <paramref name="mediaType"/> is "text/html" or "text/csv".</summary>
    public async Task<string> GetInvoiceDocumentAsync(string month, string mediaType, CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Get, $"api/billing/invoices/{Uri.EscapeDataString(month)}");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));

        // Problems come back as JSON (RFC 9457), so the client accepts that too.
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json", 0.5));
        using var response = await SendCoreAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}
