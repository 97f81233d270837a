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
/// Endpoint handlers are named static methods returning typed results, so the OpenAPI document takes each success
/// response from the signature. The endpoint classes listed here have been moved over; the list grows until it holds
/// every class.
/// </summary>
public sealed class EndpointHandlerTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private static readonly string[] TypedEndpointClasses =
    [
        "DeploymentEndpoints", "DeploymentTelemetryEndpoints", "AgentEndpoints", "SourceEndpoints",
        "ProblemEndpoints", "CurriculumEndpoints", "SubmissionEndpoints", "ProgressEndpoints", "ClassEndpoints",
        "AuthEndpoints", "AccountRecoveryEndpoints", "TwoFactorEndpoints", "UserEndpoints", "TokenEndpoints",
    ];

    [Fact]
    public async Task Handlers_OfTypedEndpointClasses_AreNamedMethodsWithTypedResults()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var handlers = Handlers(server).Where(h => TypedEndpointClasses.Contains(OuterType(h.Method).Name)).ToList();

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
    public async Task EndpointNames_AcrossTheApi_AreUnique()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var names = server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName)
            .OfType<string>();

        var duplicates = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.Empty(duplicates);
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
