using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Server.Proxy;

/// <summary>
/// Reads the route table from the database: live deployments with their project's name (generated host), their
/// verified custom domains, and as destinations their replicas that are running, ready and have an endpoint.
/// </summary>
public sealed class ProxyRouteLoader(IServiceScopeFactory scopes, IOptions<DeploymentOptions> deployments)
{
    /// <summary>Reads the table; <paramref name="previous"/> hands each deployment's round-robin position on.</summary>
    public async Task<ProxyRouteTable> LoadAsync(ProxyRouteTable? previous, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var baseDomain = deployments.Value.BaseDomain;

        var live = await (
            from d in db.Deployments.AsNoTracking()
            where d.DeletedAt == null
            join p in db.Projects.AsNoTracking() on d.ProjectId equals p.Id
            select new { d.Id, d.Name, Project = p.Name, d.CreatedAt })
            .ToListAsync(cancellationToken);
        var domains = await (
            from c in db.CustomDomains.AsNoTracking()
            where c.VerifiedAt != null
            join d in db.Deployments.AsNoTracking() on c.DeploymentId equals d.Id
            where d.DeletedAt == null
            select new { c.DeploymentId, c.Hostname })
            .ToListAsync(cancellationToken);
        var replicas = await (
            from r in db.Replicas.AsNoTracking()
            where r.Ready && r.Phase == ReplicaPhase.Running && r.EndpointHost != null && r.EndpointPort != null
            join d in db.Deployments.AsNoTracking() on r.DeploymentId equals d.Id
            where d.DeletedAt == null
            select new { r.DeploymentId, r.Id, Host = r.EndpointHost!, Port = r.EndpointPort!.Value })
            .ToListAsync(cancellationToken);

        var destinations = replicas
            .GroupBy(r => r.DeploymentId)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<ProxyDestination>)g.OrderBy(r => r.Id).Select(r => Destination(r.Host, r.Port)).Distinct().ToArray());

        var before = previous?.Deployments.ToDictionary(r => r.DeploymentId) ?? [];
        var routes = new Dictionary<string, ProxyRoute>(StringComparer.OrdinalIgnoreCase);
        var byDeployment = new Dictionary<Guid, ProxyRoute>();

        // Oldest first: should two deployments ever produce the same host name, the older one keeps it.
        foreach (var d in live.OrderBy(d => d.CreatedAt).ThenBy(d => d.Id))
        {
            var route = new ProxyRoute(d.Id, $"{d.Name}-{d.Project}".ToLowerInvariant(), destinations.GetValueOrDefault(d.Id) ?? [], before.GetValueOrDefault(d.Id));
            byDeployment[d.Id] = route;
            routes.TryAdd(DeploymentHostNames.For(d.Name, d.Project, baseDomain), route);
        }

        foreach (var domain in domains)
        {
            if (byDeployment.TryGetValue(domain.DeploymentId, out var route))
            {
                routes.TryAdd(DeploymentHostNames.Normalize(domain.Hostname), route);
            }
        }

        return new ProxyRouteTable(baseDomain, routes);
    }

    private static ProxyDestination Destination(string host, int port)
    {
        // An IPv6 address needs brackets in a URI.
        var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
        return new ProxyDestination(authority, $"http://{authority}/");
    }
}
