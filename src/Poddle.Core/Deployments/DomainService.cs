using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DnsClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Deployments;

/// <summary>
/// Custom domains of deployments. A domain is routed by the proxy once verified: its owner publishes the verification
/// token as a TXT record at <c>_poddle-challenge.{hostname}</c>, or an admin vouches for it. Host names are unique
/// across the installation and never under the base domain (those belong to Poddle's own routing).
/// </summary>
public sealed partial class DomainService(
    PoddleDbContext db,
    IDnsTxtResolver dns,
    DeploymentChangeSignal changes,
    IDatabaseErrors databaseErrors,
    IOptions<DeploymentOptions> options,
    TimeProvider clock,
    ILogger<DomainService> logger)
{
    public const string ChallengePrefix = "_poddle-challenge.";
    public const int MaxDomainsPerDeployment = 20;

    /// <summary>Where the owner publishes the token.</summary>
    public static string TxtRecordName(string hostname) => ChallengePrefix + hostname;

    public async Task<Result<CustomDomain>> AddAsync(Guid ownerId, Guid deploymentId, string? hostname, CancellationToken cancellationToken)
    {
        var deployment = await db.Deployments.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deploymentId && d.OwnerId == ownerId, cancellationToken);
        if (deployment is null)
        {
            return Error.NotFound("Deployment");
        }

        if (deployment.DeletedAt is not null)
        {
            return Error.Conflict(DeploymentErrorCodes.DeploymentDeleted, "This deployment is being deleted or was deleted.");
        }

        var normalized = Normalize(hostname, options.Value.BaseDomain, out var problem);
        if (normalized is null)
        {
            return Error.Validation(DeploymentFields.Hostname, problem!);
        }

        if (await db.CustomDomains.CountAsync(d => d.DeploymentId == deploymentId, cancellationToken) >= MaxDomainsPerDeployment)
        {
            return Error.Conflict(DeploymentErrorCodes.DomainLimit, $"At most {MaxDomainsPerDeployment} domains per deployment.", DeploymentFields.Hostname);
        }

        if (await db.CustomDomains.AnyAsync(d => d.Hostname == normalized, cancellationToken))
        {
            return Taken(normalized);
        }

        var now = clock.GetStoredUtcNow();
        var domain = new CustomDomain
        {
            Id = Guid.CreateVersion7(now),
            DeploymentId = deploymentId,
            OwnerId = ownerId,
            Hostname = normalized,
            VerificationToken = "poddle-verify=" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)),
            CreatedAt = now,
        };
        db.CustomDomains.Add(domain);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return Taken(normalized);
        }

        LogAdded(logger, domain.Id, normalized, deploymentId);
        return domain;
    }

    public async Task<Result<IReadOnlyList<CustomDomain>>> ListAsync(Guid ownerId, Guid deploymentId, CancellationToken cancellationToken)
    {
        if (!await db.Deployments.AnyAsync(d => d.Id == deploymentId && d.OwnerId == ownerId, cancellationToken))
        {
            return Error.NotFound("Deployment");
        }

        return await db.CustomDomains.AsNoTracking().Where(d => d.DeploymentId == deploymentId && d.OwnerId == ownerId).OrderBy(d => d.Hostname).ToListAsync(cancellationToken);
    }

    public async Task<Result<bool>> DeleteAsync(Guid ownerId, Guid deploymentId, Guid domainId, CancellationToken cancellationToken)
    {
        var deleted = await db.CustomDomains.Where(d => d.Id == domainId && d.DeploymentId == deploymentId && d.OwnerId == ownerId).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return Error.NotFound("Domain");
        }

        changes.Notify(deploymentId);
        return true;
    }

    /// <summary>
    /// Verifies ownership: an admin caller needs no DNS record; otherwise the TXT record at <see cref="TxtRecordName"/> must
    /// hold the token. Verifying an already verified domain succeeds again.
    /// </summary>
    public async Task<Result<CustomDomain>> VerifyAsync(Guid ownerId, bool callerIsAdmin, Guid deploymentId, Guid domainId, CancellationToken cancellationToken)
    {
        var domain = await db.CustomDomains.FirstOrDefaultAsync(d => d.Id == domainId && d.DeploymentId == deploymentId && d.OwnerId == ownerId, cancellationToken);
        if (domain is null)
        {
            return Error.NotFound("Domain");
        }

        if (domain.VerifiedAt is not null)
        {
            return domain;
        }

        if (callerIsAdmin)
        {
            return await MarkVerifiedAsync(domain, "admin", cancellationToken);
        }

        IReadOnlyList<string> records;
        try
        {
            records = await dns.ResolveTxtAsync(TxtRecordName(domain.Hostname), cancellationToken);
        }
        catch (Exception ex) when (ex is DnsResponseException or SocketException or TimeoutException)
        {
            return new Error(ErrorKind.Unavailable, DeploymentErrorCodes.DnsUnavailable, $"The DNS lookup of {TxtRecordName(domain.Hostname)} failed ({ex.Message}); try again later.", RetryAfter: TimeSpan.FromSeconds(30));
        }

        if (!records.Any(r => string.Equals(r.Trim(), domain.VerificationToken, StringComparison.Ordinal)))
        {
            return Error.Conflict(
                DeploymentErrorCodes.DomainNotVerified,
                $"No TXT record at {TxtRecordName(domain.Hostname)} holds the verification token ({records.Count} TXT record(s) found). Publish it, wait for DNS to update, and try again.",
                DeploymentFields.Hostname);
        }

        return await MarkVerifiedAsync(domain, "dns", cancellationToken);
    }

    /// <summary>An admin vouches for any domain, whoever owns it.</summary>
    public async Task<Result<CustomDomain>> VerifyAsAdminAsync(Guid domainId, CancellationToken cancellationToken)
    {
        var domain = await db.CustomDomains.FirstOrDefaultAsync(d => d.Id == domainId, cancellationToken);
        if (domain is null)
        {
            return Error.NotFound("Domain");
        }

        return domain.VerifiedAt is not null ? domain : await MarkVerifiedAsync(domain, "admin", cancellationToken);
    }

    /// <summary>
    /// Lower-cased, without a trailing dot; null with the reason when not a fully qualified host name (two or more
    /// labels, each a DNS label, at most 253 characters, not an IP address), or when it is the base domain or under it.
    /// </summary>
    public static string? Normalize(string? hostname, string baseDomain, out string? problem)
    {
        problem = null;
        var value = hostname?.Trim().TrimEnd('.').ToLowerInvariant();
        if (string.IsNullOrEmpty(value) || value.Length > 253)
        {
            problem = "Give a fully qualified host name such as 'www.example.com' (at most 253 characters).";
            return null;
        }

        var labels = value.Split('.');
        if (labels.Length < 2 || !labels.All(Validators.IsDnsLabel) || IPAddress.TryParse(value, out _) || labels[^1].All(char.IsAsciiDigit))
        {
            problem = "Must be a fully qualified host name such as 'www.example.com': two or more labels of a-z, 0-9 and '-', not an IP address.";
            return null;
        }

        var root = baseDomain.TrimEnd('.').ToLowerInvariant();
        if (value == root || value.EndsWith("." + root, StringComparison.Ordinal))
        {
            problem = $"Host names under '{root}' are the deployments' own addresses; add a domain you own instead.";
            return null;
        }

        return value;
    }

    private async Task<CustomDomain> MarkVerifiedAsync(CustomDomain domain, string by, CancellationToken cancellationToken)
    {
        domain.VerifiedAt = clock.GetStoredUtcNow();
        domain.VerifiedBy = by;
        await db.SaveChangesAsync(cancellationToken);
        changes.Notify(domain.DeploymentId);
        LogVerified(logger, domain.Id, domain.Hostname, by);
        return domain;
    }

    private static Error Taken(string hostname) =>
        Error.Conflict(DeploymentErrorCodes.DomainTaken, $"The host name '{hostname}' is already added to a deployment on this server.", DeploymentFields.Hostname);

    [LoggerMessage(Level = LogLevel.Information, Message = "Domain {DomainId} ({Hostname}) added to deployment {DeploymentId}")]
    private static partial void LogAdded(ILogger logger, Guid domainId, string hostname, Guid deploymentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Domain {DomainId} ({Hostname}) verified by {VerifiedBy}")]
    private static partial void LogVerified(ILogger logger, Guid domainId, string hostname, string verifiedBy);
}
