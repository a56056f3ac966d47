import Dispatch
import Foundation
import LifeProto
import SwiftProtobuf

/// Writes the seed corpus (`LIFED_FUZZ_WRITE_SEEDS=FOLDER FuzzRequests`): for every method, its
/// empty request, and a well-formed request for a few that need one to get anywhere. Method
/// indexes are positions in `FuzzedDaemon.methods`, so the seeds are written again (by
/// Scripts/fuzz-seeds.sh) when a method is added.
enum SeedWriter {
    private static let requests: [String: [any SwiftProtobuf.Message]] = [
        "/life.v1.Admin/CreateFacility": [
            Life_V1_CreateFacilityRequest.with {
                $0.facility.facilityNumber = "2712345673"
                $0.facility.name = "施設B"
            }
        ],
        "/life.v1.Admin/CreateFacilityAdmin": [
            Life_V1_CreateFacilityAdminRequest.with {
                $0.facilityNumber = "1312345679"
                $0.loginID = "admin-b"
                $0.displayName = "管理者"
                $0.initialPassword = "Initial-2026"
            }
        ],
        "/life.v1.Auth/Login": [
            Life_V1_LoginRequest.with {
                $0.loginID = "admin-a"
                $0.password = "Changed-2026!"
            }
        ],
        "/life.v1.Recipients/GetRecipient": [Life_V1_GetRecipientRequest.with { $0.id = "00000000-0000-0000-0000-000000000000" }],
        "/life.v1.Health/Check": [Life_V1_HealthCheckRequest.with { $0.service = "life.v1.Admin" }],
    ]

    static func write(to folder: String) {
        let done = DispatchSemaphore(value: 0)
        Task {
            let paths = await FuzzedDaemon.shared.methodPaths()
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for (index, path) in paths.enumerated() {
                    let name = path.split(separator: "/").joined(separator: "-")
                    let seeds = [[UInt8]()] + (requests[path] ?? []).map { try! $0.serializedBytes() as [UInt8] }
                    for (number, request) in seeds.enumerated() {
                        let bytes = [UInt8(index), 0] + request
                        try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name)-\(number)"))
                    }
                }
            } catch {
                fatalError("cannot write the seeds: \(error)")
            }
            done.signal()
        }
        done.wait()
    }
}
