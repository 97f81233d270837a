using Microsoft.AspNetCore.Builder;
using Poddle.Contracts;
using Poddle.Core.Common;
using Poddle.Server.Auth;
using Poddle.Server.Endpoints;
using Poddle.Server.Errors;
using Poddle.Server.Piston;
using Poddle.Server.Proxy;
using Prometheus;
using Scalar.AspNetCore;

namespace Poddle.Server.Hosting;

/// <summary>The HTTP side: the API's services, the middleware pipeline and the endpoints.</summary>
internal static class PoddleApiHosting
{
    /// <summary>Problem details, JSON, authentication, health checks, OpenAPI and the Piston API's options.</summary>
    public static IServiceCollection AddPoddleApi(this IServiceCollection services)
    {
        services.AddValidatedOptions<PistonOptions, PistonOptionsValidator>(PistonOptions.SectionName);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.Customize);
        services.AddExceptionHandler<ErrorHandling>();
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PoddleJsonContext.Default));
        services.AddPoddleAuthentication();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<SandboxHealthCheck>("sandbox", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<PodDriversHealthCheck>("drivers", tags: [HealthEndpoints.ReadyTag]);
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Poddle API";
            document.Info.Description = "Self-hosted pod platform. Errors are RFC 9457 problems with a stable 'code'.";
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>The middleware, in the order that matters (see the comments).</summary>
    public static WebApplication UsePoddlePipeline(this WebApplication app, ServerOptions server)
    {
        if (TrustedProxyList.ToOptions(server.TrustedProxies) is { } forwarded)
        {
            app.UseForwardedHeaders(forwarded);
        }

        // Pods reach the agent listener and nothing else of the server: there, only the heartbeat is served.
        app.UseMiddleware<AgentListener.OnlyHeartbeats>();

        // App hosts ({deployment}-{project}.{base domain}, custom domains) go to the reverse proxy; other hosts to the API.
        app.UsePoddleProxy();

        // Explicit, so endpoint matching runs after the proxy (WebApplication would otherwise put it first, for every request).
        app.UseRouting();
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics();
        app.UseAuthentication();

        // After authentication (the per-user limit needs the user), before authorization (refused requests count too).
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<RequestCharsetMiddleware>();
        return app;
    }

    /// <summary>Health, metrics, the OpenAPI document and its reference page, and every API endpoint.</summary>
    public static WebApplication MapPoddleApi(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapMetrics("/metrics");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithTitle("Poddle API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapAuthEndpoints();
        app.MapAccountRecoveryEndpoints();
        app.MapUserEndpoints();
        app.MapTwoFactorEndpoints();
        app.MapTokenEndpoints();
        app.MapProjectEndpoints();
        app.MapAdminUserEndpoints();
        app.MapAdminEndpoints();
        app.MapAlertEndpoints();
        app.MapBillingEndpoints();
        app.MapPaymentEndpoints();
        app.MapInvoiceEndpoints();
        app.MapExecutionEndpoints();
        app.MapPistonEndpoints();
        app.MapSubmissionEndpoints();
        app.MapProgressEndpoints();
        app.MapCodeDraftEndpoints();
        app.MapClassEndpoints();
        app.MapDeploymentEndpoints();
        app.MapPoolEndpoints();
        app.MapPodEndpoints();
        app.MapServerlessEndpoints();
        app.MapServerlessWorkerEndpoints();
        app.MapDomainEndpoints();
        app.MapSourceEndpoints();
        app.MapProblemEndpoints();
        app.MapCurriculumEndpoints();

        app.MapDeploymentTelemetryEndpoints();
        app.MapAgentEndpoints();
        return app;
    }
}
