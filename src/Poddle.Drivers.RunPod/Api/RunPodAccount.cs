namespace Poddle.Drivers.RunPod.Api;

/// <summary>RunPod's <c>myself</c>: the account's balance and spend, and its pods when asked for.</summary>
public sealed record RunPodAccount(string? Id, double? ClientBalance, double? CurrentSpendPerHr, IReadOnlyList<RunPodPod>? Pods);
