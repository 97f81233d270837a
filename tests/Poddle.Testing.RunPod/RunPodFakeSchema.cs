namespace Poddle.Testing.RunPod;

/// <summary>
/// The subset of RunPod's GraphQL schema (https://api.runpod.io/graphql) the fake serves, as SDL. Type, field, input
/// and enum names are RunPod's own (checked against runpod-python's api/queries and api/mutations and runpodctl's
/// api/pod.go), so a client written against RunPod sends the same documents here, with inline literals or variables.
/// One deviation: RunPod's <c>podTerminate</c> returns the scalar <c>Void</c>; here it is a <c>String</c> that is always
/// null, which reads the same on the wire.
/// </summary>
public static class RunPodFakeSchema
{
    /// <summary>The SDL.</summary>
    public const string Sdl = """
        type Query {
          myself: User
          pod(input: PodFilter!): Pod
          gpuTypes(input: GpuTypeFilter): [GpuType]
        }

        type Mutation {
          podFindAndDeployOnDemand(input: PodFindAndDeployOnDemandInput): Pod
          podRentInterruptable(input: PodRentInterruptableInput!): Pod
          podStop(input: PodStopInput!): Pod
          podResume(input: PodResumeInput!): Pod
          podBidResume(input: PodBidResumeInput!): Pod
          podTerminate(input: PodTerminateInput!): String
        }

        type User {
          id: String
          email: String
          pods: [Pod]
          clientBalance: Float
          currentSpendPerHr: Float
        }

        enum PodStatus { CREATED RUNNING RESTARTING EXITED PAUSED DEAD TERMINATED }

        enum CloudTypeEnum { ALL SECURE COMMUNITY }

        type Pod {
          id: String
          name: String
          imageName: String
          dockerArgs: String
          dockerId: String
          env: [String]
          desiredStatus: PodStatus
          lastStatusChange: String
          costPerHr: Float
          gpuCount: Int
          vcpuCount: Float
          memoryInGb: Float
          containerDiskInGb: Int
          volumeInGb: Float
          volumeMountPath: String
          ports: String
          port: Int
          podType: String
          interruptible: Boolean
          uptimeSeconds: Int
          machineId: String
          machine: PodMachineInfo
          runtime: PodRuntime
        }

        type PodMachineInfo {
          podHostId: String
          gpuDisplayName: String
          location: String
        }

        type PodRuntime {
          uptimeInSeconds: Int
          ports: [PodRuntimePorts]
          gpus: [PodRuntimeGpus]
          container: PodRuntimeContainer
        }

        type PodRuntimePorts {
          ip: String
          isIpPublic: Boolean
          privatePort: Int
          publicPort: Int
          type: String
        }

        type PodRuntimeGpus {
          id: String
          gpuUtilPercent: Int
          memoryUtilPercent: Int
        }

        type PodRuntimeContainer {
          cpuPercent: Int
          memoryPercent: Int
        }

        type GpuType {
          id: String
          displayName: String
          manufacturer: String
          memoryInGb: Int
          maxGpuCount: Int
          secureCloud: Boolean
          communityCloud: Boolean
          securePrice: Float
          communityPrice: Float
          secureSpotPrice: Float
          communitySpotPrice: Float
          lowestPrice(input: GpuLowestPriceInput): LowestPrice
        }

        type LowestPrice {
          gpuName: String
          gpuTypeId: String
          minimumBidPrice: Float
          uninterruptablePrice: Float
          stockStatus: String
        }

        input GpuTypeFilter { id: String }

        input GpuLowestPriceInput { gpuCount: Int! secureCloud: Boolean communityCloud: Boolean }

        input PodFilter { podId: String! }

        input EnvironmentVariableInput { key: String! value: String! }

        input PodFindAndDeployOnDemandInput {
          cloudType: CloudTypeEnum
          gpuCount: Int
          gpuTypeId: String
          name: String
          imageName: String
          dockerArgs: String
          env: [EnvironmentVariableInput]
          ports: String
          volumeInGb: Int
          containerDiskInGb: Int
          volumeMountPath: String
          minVcpuCount: Int
          minMemoryInGb: Int
          supportPublicIp: Boolean
          startSsh: Boolean
          startJupyter: Boolean
          dataCenterId: String
          countryCode: String
          templateId: String
          networkVolumeId: String
          allowedCudaVersions: [String]
          minDownload: Int
          minUpload: Int
          volumeKey: String
          deployCost: Float
        }

        input PodRentInterruptableInput {
          bidPerGpu: Float!
          cloudType: CloudTypeEnum
          gpuCount: Int
          gpuTypeId: String
          name: String
          imageName: String
          dockerArgs: String
          env: [EnvironmentVariableInput]
          ports: String
          volumeInGb: Int
          containerDiskInGb: Int
          volumeMountPath: String
          minVcpuCount: Int
          minMemoryInGb: Int
          supportPublicIp: Boolean
          startSsh: Boolean
          startJupyter: Boolean
          dataCenterId: String
          countryCode: String
          templateId: String
          networkVolumeId: String
          minDownload: Int
          minUpload: Int
          volumeKey: String
        }

        input PodStopInput { podId: String! incrementVersion: Boolean }

        input PodResumeInput { podId: String! gpuCount: Int }

        input PodBidResumeInput { podId: String! bidPerGpu: Float! gpuCount: Int }

        input PodTerminateInput { podId: String! }
        """;
}
