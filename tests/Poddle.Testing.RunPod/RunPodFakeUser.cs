namespace Poddle.Testing.RunPod;

/// <summary>RunPod's <c>User</c> as <c>myself</c> answers it.</summary>
public sealed record RunPodFakeUser(string Id, string Email, IReadOnlyList<RunPodFakePod> Pods, double ClientBalance, double CurrentSpendPerHr);
