using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

/// <summary>What a docker <see cref="PodHandle.DriverState"/> holds (version 1): the container's name, for people.</summary>
internal sealed record DockerPodState(string Name);
