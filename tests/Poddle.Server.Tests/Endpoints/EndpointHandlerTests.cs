using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// Endpoint handlers (src/Poddle.Server/Endpoints) are named static methods returning typed results, so the OpenAPI
/// document takes each success response from the signature instead of hand-written <c>Produces</c> calls.
/// </summary>
public sealed class EndpointHandlerTests(SharedServers servers) : IClassFixture<SharedServers>
{
    [Fact]
    public async Task Handlers_OfEveryEndpointClass_AreNamedMethodsWithTypedResults()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var handlers = Handlers(server).Where(h => OuterType(h.Method).Namespace == "Poddle.Server.Endpoints").ToList();

        Assert.NotEmpty(handlers);
        Assert.All(handlers, h =>
        {
            Assert.False(h.Method.IsDefined(typeof(CompilerGeneratedAttribute)) || h.Method.Name.StartsWith('<'), $"{h.Route} is a lambda ({h.Method.Name}).");
            var returned = h.Method.ReturnType.IsGenericType && h.Method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
                ? h.Method.ReturnType.GetGenericArguments()[0]
                : h.Method.ReturnType;
            Assert.True(returned != typeof(IResult) && typeof(IResult).IsAssignableFrom(returned), $"{h.Route} returns {returned.Name}, not a typed result.");
        });
    }

    [Fact]
    public async Task OpenApi_TypedHandlers_DescribeTheirSuccessResponses()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        using var client = server.CreateClient();

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = json.RootElement.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/projects/{projectId}/deployments").GetProperty("post").GetProperty("responses").TryGetProperty("202", out _));
        Assert.True(paths.GetProperty("/api/deployments/{id}").GetProperty("get").GetProperty("responses").TryGetProperty("200", out _));
        Assert.True(paths.GetProperty("/api/projects/{projectId}/sources").GetProperty("post").GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(paths.GetProperty("/api/agents/heartbeat").GetProperty("post").GetProperty("responses").TryGetProperty("200", out _));
        var submit = paths.GetProperty("/api/execution/submit").GetProperty("post").GetProperty("responses");
        Assert.True(submit.TryGetProperty("200", out _) && submit.TryGetProperty("202", out _), "POST /api/execution/submit lacks its 200 or 202 response.");
        Assert.True(paths.GetProperty("/api/tokens/{id}").GetProperty("delete").GetProperty("responses").TryGetProperty("204", out _));
    }

    private static IEnumerable<(string Route, MethodInfo Method)> Handlers(TestServer server) =>
        server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (Route: e.RoutePattern.RawText ?? e.DisplayName ?? "?", Method: e.Metadata.GetMetadata<MethodInfo>()))
            .Where(h => h.Method is not null)
            .Select(h => (h.Route, h.Method!));

    /// <summary>The endpoint class a handler belongs to (a lambda's method sits on a compiler-generated nested type).</summary>
    private static Type OuterType(MethodInfo method)
    {
        var type = method.DeclaringType!;
        while (type.IsDefined(typeof(CompilerGeneratedAttribute)) && type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }
}
