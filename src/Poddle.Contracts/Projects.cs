namespace Poddle.Contracts;

public sealed record CreateProjectRequest(string? Name, string? Description = null);

public sealed record UpdateProjectRequest(string? Name = null, string? Description = null);

public sealed record ProjectResponse(Guid Id, string Name, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
