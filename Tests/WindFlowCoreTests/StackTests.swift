import Testing
@testable import WindFlowCore

struct StackTests {
    static let shop = """
        name: shop
        services:
          web:
            image: windflow/busybox:test
            command: ["httpd", "-f", "-p", "8080"]
            environment: {GREETING: "hello ${WHO:-world}", DB_URL: "postgres://db/${DB_NAME}"}
            ports: ["8080"]
            volumes: ["site:/www:ro"]
            healthcheck: {test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/"], interval: 2s, timeout: 1s, retries: 3}
            labels: {team: web}
            deploy: {replicas: 2}
            depends_on: [db]
          db:
            image: windflow/busybox:test
            command: sleep 3600
            ports: ["127.0.0.1:15432:5432"]
            volumes: ["data:/data"]
        volumes: {data: {}, site: {}}
        environments:
          production:
            services:
              web: {deploy: {replicas: 3}, environment: {GREETING: "bonjour"}}
        """

    @Test func aStackReadsWithItsEnvironmentAndVariables() throws {
        let (stack, problems) = StackLoader.load(Self.shop, environment: "production", variables: ["DB_NAME": "orders"])
        #expect(problems.isEmpty, "\(problems)")
        let web = try #require(stack?.service("web"))
        #expect(web.replicas == 3 && web.environment["GREETING"] == "bonjour" && web.environment["DB_URL"] == "postgres://db/orders")
        #expect(web.ports == [PortMapping("8080")!] && web.ports[0].hostPort == nil)
        #expect(web.volumes.first?.readOnly == true && web.healthcheck?.interval == 2)
        #expect(stack?.services.map(\.name) == ["web", "db"])
        #expect(stack?.service("db")?.command == ["sleep", "3600"])
        #expect(stack?.service("db")?.ports.first?.hostIP == "127.0.0.1")
        #expect(StackLoader.load(Self.shop, variables: ["DB_NAME": "x"]).stack?.service("web")?.environment["GREETING"] == "hello world")
    }

    @Test func aStackWithMistakesSaysEachWithItsLine() {
        let text = """
            services:
              api:
                image: app
                ports: ["8080:80", "99999"]
                volumes: ["cache:/tmp/cache", "relative"]
                depends_on: [queue]
                deploy: {replicas: 2}
                healthcheck: {test: "true", interval: soon}
                restart: always
              worker:
                image: app
                ports: ["8080:81"]
                depends_on: [api]
              nothing:
                command: "true"
              loop_a: {image: app, depends_on: [loop_b]}
              loop_b: {image: app, depends_on: [loop_a]}
            """
        let (stack, problems) = StackLoader.load(text)
        #expect(stack == nil)
        let codes = Set(problems.map(\.code))
        for code in [ProblemCode.invalidPort, .portClash, .invalidVolume, .unknownService, .invalidDuration, .unknownField, .missingField, .cycle] {
            #expect(codes.contains(code), "\(code) missing from \(problems)")
        }
        #expect(problems.filter { $0.code == .portClash }.count == 2, "replicas on one host port, and two services on it")
        #expect(problems.first { $0.code == .invalidPort }?.line == 4, "the line of ports:")
    }

    @Test func aMissingVariableIsAnErrorWhenStrictAndAWarningWhenBasic() {
        let text = "services:\n  web: {image: \"app:${TAG}\"}\n"
        #expect(StackLoader.load(text, strict: true).problems.first { $0.code == .missingVariable }?.severity == .error)
        let basic = StackLoader.load(text, strict: false)
        #expect(basic.problems.first?.code == .missingVariable && basic.problems.first?.severity == .warning)
        #expect(basic.stack?.service("web")?.image == "app:")
        #expect(StackLoader.load(text, variables: ["TAG": "1.2"]).stack?.service("web")?.image == "app:1.2")
    }

    @Test func notAStackIsSaidPlainly() {
        #expect(StackLoader.load("- a\n- b\n").problems.first?.code == .syntaxError)
        #expect(StackLoader.load("services: {}\n").problems.first?.code == .missingField)
        #expect(StackLoader.load("services:\n  web: [1]\n").problems.first?.code == .invalidFieldType)
    }
}
