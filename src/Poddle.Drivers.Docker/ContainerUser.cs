namespace Poddle.Drivers.Docker;

/// <summary>Who a container runs as, as far as is known before it starts.</summary>
/// <param name="Image">The image, for messages.</param>
/// <param name="User">The user as written (the spec's, else the image's USER); null or empty for the image default, root.</param>
/// <param name="FromImage">The user comes from the image, not the spec.</param>
/// <param name="IsRoot">Known to be uid 0.</param>
/// <param name="Name">A user name whose uid only the image's /etc/passwd knows; null when the uid is known.</param>
internal sealed record ContainerUser(string? Image, string? User, bool FromImage, bool IsRoot, string? Name);
