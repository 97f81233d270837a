using System.Net;
using System.Text;
using System.Text.Json;
using Poddle.Testing.RunPod;

namespace Poddle.Drivers.RunPod.Tests;

// The fake's RunPod behaviour as any client sees it on the wire: auth by Bearer or ?api_key=, inline literals as well
// as variables, errors as HTTP 200 with errors[].message/path/extensions.code and data.field null.
public sealed partial class RunPodPodDriverTests
{
    [Fact]
    public async Task Fake_ApiKeyInTheQueryString_InlineLiterals_UnknownPodIsNull()
    {
        using var http = new HttpClient();

        using var response = await http.PostAsync(
            new Uri(Fake.GraphQLUrl + "?api_key=" + Fake.ApiKey),
            Json("""{"query":"query { pod(input: {podId: \"nosuchpod00000\"}) { id desiredStatus } gpuTypes(input: {id: \"NVIDIA RTX A4000\"}) { id securePrice lowestPrice(input: {gpuCount: 2}) { uninterruptablePrice } } }"}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("data").GetProperty("pod").ValueKind);
        var gpu = Assert.Single(body.RootElement.GetProperty("data").GetProperty("gpuTypes").EnumerateArray());
        Assert.Equal(0.25, gpu.GetProperty("securePrice").GetDouble());
        Assert.Equal(0.17, gpu.GetProperty("lowestPrice").GetProperty("uninterruptablePrice").GetDouble());
    }

    [Fact]
    public async Task Fake_NoOrWrongKey_Http401()
    {
        using var http = new HttpClient();

        using var none = await http.PostAsync(Fake.GraphQLUrl, Json("""{"query":"{ myself { id } }"}"""));
        using var wrong = await http.PostAsync(new Uri(Fake.GraphQLUrl + "?api_key=nope"), Json("""{"query":"{ myself { id } }"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Fake_Errors_Http200WithMessagePathCodeAndTheFieldNull()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", Fake.ApiKey);
        Fake.Faults.InternalErrorOnNext("myself");

        using var response = await http.PostAsync(Fake.GraphQLUrl, Json("""{"query":"query Me { myself { id clientBalance } }","operationName":"Me"}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = Assert.Single(body.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal(RunPodFakeFaults.InternalErrorMessage, error.GetProperty("message").GetString());
        Assert.Equal("myself", Assert.Single(error.GetProperty("path").EnumerateArray()).GetString());
        Assert.Equal("INTERNAL_SERVER_ERROR", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("data").GetProperty("myself").ValueKind);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
