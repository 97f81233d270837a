using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// Plays Click's side of the SHOP API: form-encoded Prepare (action 0) and Complete (action 1) callbacks signed with
/// <c>sign_string</c> = md5(click_trans_id + service_id + secret_key + merchant_trans_id [+ merchant_prepare_id] + amount
/// + action + sign_time), computed here independently of the server's code.
/// </summary>
internal sealed class ClickCaller(HttpClient http, string serviceId, string secretKey)
{
    public static string SignTime => DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public Task<JsonElement> PrepareAsync(long clickTransId, string merchantTransId, string amount, string? secret = null, int action = 0) =>
        PostAsync("prepare", Form(clickTransId, merchantTransId, null, amount, action, 0, secret ?? secretKey));

    public Task<JsonElement> CompleteAsync(long clickTransId, string merchantTransId, long prepareId, string amount, int error = 0, string? secret = null) =>
        PostAsync("complete", Form(clickTransId, merchantTransId, prepareId.ToString(CultureInfo.InvariantCulture), amount, 1, error, secret ?? secretKey));

    public Dictionary<string, string> Form(long clickTransId, string merchantTransId, string? prepareId, string amount, int action, int error, string secret)
    {
        var signTime = SignTime;
        var trans = clickTransId.ToString(CultureInfo.InvariantCulture);
        var actionText = action.ToString(CultureInfo.InvariantCulture);
#pragma warning disable CA5351 // Click's protocol signs with MD5.
        var sign = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(trans + serviceId + secret + merchantTransId + (prepareId ?? "") + amount + actionText + signTime)));
#pragma warning restore CA5351
        var form = new Dictionary<string, string>
        {
            ["click_trans_id"] = trans,
            ["service_id"] = serviceId,
            ["click_paydoc_id"] = (clickTransId + 1_000_000).ToString(CultureInfo.InvariantCulture),
            ["merchant_trans_id"] = merchantTransId,
            ["amount"] = amount,
            ["action"] = actionText,
            ["error"] = error.ToString(CultureInfo.InvariantCulture),
            ["error_note"] = error == 0 ? "Success" : "Insufficient funds",
            ["sign_time"] = signTime,
            ["sign_string"] = sign,
        };
        if (prepareId is not null)
        {
            form["merchant_prepare_id"] = prepareId;
        }

        return form;
    }

    public async Task<JsonElement> PostAsync(string callback, Dictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync($"/api/billing/click/{callback}", content);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static int Error(JsonElement response) => response.GetProperty("error").GetInt32();
}
