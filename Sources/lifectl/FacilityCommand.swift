import ArgumentParser
import LifeClient
import LifeProto

/// `lifectl facility …`: care facilities (事業所).
struct FacilityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facility",
        abstract: "Add, list, disable and enable facilities.",
        subcommands: [Add.self, List.self, Disable.self, Enable.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a facility.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "事業所番号, 10 characters with check digit.") var number: String
        @Argument(help: "Facility name.") var name: String

        func run() async throws {
            var request = Life_V1_CreateFacilityRequest()
            request.facility.facilityNumber = number
            request.facility.name = name
            let facility = try await AdminSession.run(connection) { [request] client in
                try await client.admin.createFacility(request).facility
            }
            print("added \(facility.facilityNumber) \(facility.name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List facilities: number, state, service type codes (サービス種類; - when unknown), name.",
            discussion: "Service type codes come from the old LIFE's facilities file (lifectl migrate import).")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Include disabled facilities.") var all = false

        func run() async throws {
            var request = Life_V1_ListFacilitiesRequest()
            request.includeDisabled = all
            request.page.pageSize = 500
            // Every page, printed as it arrives.
            try await AdminSession.run(connection) { [request] client in
                var request = request
                repeat {
                    let page = try await client.admin.listFacilities(request)
                    for facility in page.facilities {
                        let services = facility.serviceTypeCodes.isEmpty ? "-" : facility.serviceTypeCodes.joined(separator: ",")
                        print("\(facility.facilityNumber)  \(facility.disabled ? "disabled" : "enabled ")  \(services)  \(facility.name)")
                    }
                    request.page.pageToken = page.page.nextPageToken
                } while !request.page.pageToken.isEmpty
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a facility: its staff can no longer log in.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var number: String

        func run() async throws {
            var request = Life_V1_DisableFacilityRequest()
            request.facilityNumber = number
            _ = try await AdminSession.run(connection) { [request] client in try await client.admin.disableFacility(request) }
            print("disabled \(number)")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled facility.")
        @OptionGroup var connection: ConnectionOptions
        @Argument var number: String

        func run() async throws {
            var request = Life_V1_EnableFacilityRequest()
            request.facilityNumber = number
            _ = try await AdminSession.run(connection) { [request] client in try await client.admin.enableFacility(request) }
            print("enabled \(number)")
        }
    }
}
