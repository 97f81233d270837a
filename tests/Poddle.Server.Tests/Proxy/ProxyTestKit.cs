using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Contracts;
using Poddle.Core.Deployments;
using Poddle.Server.Proxy;
using Poddle.Testing;

namespace Poddle.Server.Tests.Proxy;

/// <summary>
/// Arranges routes the way the deployments API and controller leave them: rows in the database. Servers of these
/// tests run with Jobs:Workers=0, so no controller takes the hand-made replicas (whose pods no driver knows) for drift.
/// </summary>
public static class ProxyTestKit
{
    /// <summary>Creates a project (through the API) and a live deployment with revision 1; returns the deployment's id.</summary>
    public static async Task<Guid> CreateDeploymentAsync(TestServer server, string project, string deployment)
    {
        var (admin, _) = await server.SignInAdminAsync();
        using (admin)
        {
            var created = await admin.PostAsJsonAsync("/api/projects", new CreateProjectRequest(project));
            created.EnsureSuccessStatusCode();
            var projectId = (await created.Content.ReadFromJsonAsync<ProjectResponse>())!.Id;
            await using var db = server.Database.CreateContext();
            var ownerId = (await db.Projects.SingleAsync(p => p.Id == projectId)).OwnerId;
            var now = DateTimeOffset.UtcNow;
            var id = Guid.CreateVersion7();
            db.Deployments.Add(new Deployment
            {
                Id = id,
                ProjectId = projectId,
                OwnerId = ownerId,
                Name = deployment,
                Driver = "sandbox",
                Replicas = 2,
                CurrentRevision = 1,
                Status = DeploymentStatus.Running,
                StatusChangedAt = now,
                Generation = 1,
                ObservedGeneration = 1,
                CreatedAt = now,
                UpdatedAt = now,
            });
            db.DeploymentRevisions.Add(new DeploymentRevision
            {
                Id = Guid.CreateVersion7(),
                DeploymentId = id,
                Number = 1,
                SpecJson = "{}",
                Cause = "create",
                CreatedAt = now,
            });
            await db.SaveChangesAsync();
            return id;
        }
    }

    /// <summary>Adds a replica reachable at the backend's port.</summary>
    public static async Task<Guid> AddReplicaAsync(TestServer server, Guid deploymentId, ProxyBackend backend, bool ready = true, ReplicaPhase phase = ReplicaPhase.Running)
    {
        await using var db = server.Database.CreateContext();
        var now = DateTimeOffset.UtcNow;
        var id = Guid.CreateVersion7();
        db.Replicas.Add(new Replica
        {
            Id = id,
            DeploymentId = deploymentId,
            Revision = 1,
            Driver = "sandbox",
            Phase = phase,
            Ready = ready,
            PodId = "pod-" + backend.Name,
            EndpointHost = "127.0.0.1",
            EndpointPort = backend.Port,
            StartedAt = now,
            ReadySince = ready ? now : null,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>Tells the proxy (as the controller does) and waits until the table has <paramref name="host"/> with <paramref name="destinations"/> replicas.</summary>
    public static async Task NotifyAndWaitAsync(TestServer server, Guid deploymentId, string host, int destinations)
    {
        server.Services.GetRequiredService<DeploymentChangeSignal>().Notify(deploymentId);
        await WaitForRouteAsync(server, host, destinations);
    }

    /// <summary>Waits (at most 10 s) until the route table has <paramref name="host"/> with that many destinations (-1: absent).</summary>
    public static async Task WaitForRouteAsync(TestServer server, string host, int destinations)
    {
        var routes = server.Services.GetRequiredService<ProxyRoutes>();
        await Poll.UntilAsync(
            () =>
            {
                var found = routes.Current.TryFind(host, out var route);
                return destinations < 0 ? !found : found && route.Destinations.Count == destinations;
            },
            $"the route table has {host} with {destinations} destinations",
            TimeSpan.FromSeconds(10));
    }

    /// <summary>A client whose every connection goes to <paramref name="port"/> on loopback, whatever the URL's host (as DNS for *.localhost would).</summary>
    public static HttpClient ClientFor(int port, Action<SocketsHttpHandler>? configure = null)
    {
        var handler = LoopbackHandler(port);
        configure?.Invoke(handler);
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public static SocketsHttpHandler LoopbackHandler(int port) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
