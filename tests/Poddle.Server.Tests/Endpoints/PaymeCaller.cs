using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// Plays Payme's side of the Merchant API as Payme's documentation describes it: a JSON-RPC POST with
/// <c>{"method", "params", "id"}</c> and Basic auth <c>Paycom:&lt;key&gt;</c>; answers come back with HTTP 200 and
/// <c>result</c> or <c>error</c>.
/// </summary>
internal sealed class PaymeCaller(HttpClient http, string key, string accountField = "order_id")
{
    private int _id;

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public JsonObject Account(long order) => new() { [accountField] = order.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    public Task<JsonElement> CheckPerformAsync(long order, long amount) =>
        CallAsync("CheckPerformTransaction", new JsonObject { ["amount"] = amount, ["account"] = Account(order) });

    public Task<JsonElement> CreateAsync(string id, long order, long amount, long? time = null) =>
        CallAsync("CreateTransaction", new JsonObject { ["id"] = id, ["time"] = time ?? Now, ["amount"] = amount, ["account"] = Account(order) });

    public Task<JsonElement> PerformAsync(string id) => CallAsync("PerformTransaction", new JsonObject { ["id"] = id });

    public Task<JsonElement> CancelAsync(string id, int reason) => CallAsync("CancelTransaction", new JsonObject { ["id"] = id, ["reason"] = reason });

    public Task<JsonElement> CheckAsync(string id) => CallAsync("CheckTransaction", new JsonObject { ["id"] = id });

    public Task<JsonElement> StatementAsync(long from, long to) => CallAsync("GetStatement", new JsonObject { ["from"] = from, ["to"] = to });

    /// <summary>One call; the whole response (asserted to be HTTP 200 JSON with the request's id).</summary>
    public async Task<JsonElement> CallAsync(string method, JsonObject parameters, string? authorization = null)
    {
        var id = ++_id;
        var body = new JsonObject { ["method"] = method, ["params"] = parameters, ["id"] = id };
        var response = await SendAsync(body.ToJsonString(), authorization);
        Assert.Equal(id, response.GetProperty("id").GetInt32());
        return response;
    }

    public async Task<JsonElement> SendAsync(string body, string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/billing/payme") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization ?? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("Paycom:" + key)));
        using var response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static JsonElement Result(JsonElement response)
    {
        Assert.False(response.TryGetProperty("error", out var error), $"expected a result, got {error}");
        return response.GetProperty("result");
    }

    public static int ErrorCode(JsonElement response)
    {
        Assert.False(response.TryGetProperty("result", out var result), $"expected an error, got {result}");
        var error = response.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").GetProperty("en").ValueKind);
        return error.GetProperty("code").GetInt32();
    }
}
