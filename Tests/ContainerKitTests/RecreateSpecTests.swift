import Foundation
import Testing
import ContsecProtocol
@testable import ContainerKit

/// The translation from inspect output to a create request, and plan rendering, without an engine.
@Suite("Container re-create: create request and plan")
struct RecreateSpecTests {
    /// Shaped like engine 20.10's inspect output (trimmed to the fields these tests read).
    static let inspect = """
    {"Id": "99c66bbc140cbea28226c65f1f12383ff913a79d38c2dc9acbc464c4499a6c1e", "Name": "/web",
     "Image": "sha256:9c1d", "State": {"Status": "running", "Running": true},
     "Config": {"Hostname": "myhost", "Image": "shop/web:1", "Env": ["TOKEN=s3cret", "MODE=prod"], "StopTimeout": 7},
     "HostConfig": {"NetworkMode": "front", "Links": ["/db:/web/database"], "SecurityOpt": ["no-new-privileges", "seccomp:unconfined"],
                    "Binds": ["/srv/conf:/etc/app:ro"], "Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}],
                    "Tmpfs": {"/run": "size=1m"}},
     "Mounts": [
       {"Type": "bind", "Source": "/srv/conf", "Destination": "/etc/app", "RW": false},
       {"Type": "volume", "Name": "data", "Destination": "/data", "RW": true},
       {"Type": "volume", "Name": "51a705af", "Destination": "/cache", "RW": true}],
     "NetworkSettings": {"Networks": {
       "front": {"IPAMConfig": {"IPv4Address": "10.231.0.7"}, "Aliases": ["web", "99c66bbc140c", "myhost"],
                 "Links": null, "DriverOpts": null, "NetworkID": "b2d5", "IPAddress": "10.231.0.7", "MacAddress": "02:42:0a:e7:00:07"},
       "back": {"IPAMConfig": {}, "Aliases": ["99c66bbc140c"], "DriverOpts": {}, "NetworkID": "fbb3"}}}}
    """

    static func container(_ text: String = inspect) throws -> InspectedContainer {
        try InspectedContainer(inspect: try JSONParser.parse(text))
    }

    @Test("inspect output becomes a create request: links, aliases, anonymous volumes")
    func derivation() throws {
        let c = try Self.container()
        #expect(c.name == "web")
        #expect(c.isRunning)
        #expect(c.stopTimeout == 7)
        #expect(c.spec.config["Hostname"] == "myhost")
        #expect(c.spec.hostConfig["Links"] == ["db:database"])
        // The engine's automatic short-id alias is dropped; the others stay; an empty IPAMConfig is left out.
        #expect(c.spec.networks["front"] == ["IPAMConfig": ["IPv4Address": "10.231.0.7"], "Aliases": ["web", "myhost"]])
        #expect(c.spec.networks["back"] == [:])
        // The anonymous /cache volume is mounted again by name; /data (named in Mounts) is not duplicated.
        #expect(c.spec.mounts.count == 2)
        #expect(c.spec.mounts.last == ["Type": "volume", "Source": "51a705af", "Target": "/cache", "ReadOnly": false])
        #expect(c.notes.count == 1 && c.notes[0].contains("/cache"))
        #expect(c.spec.primaryNetwork == "front")
        #expect(c.spec.secondaryNetworks == ["back"])
        let body = c.spec.createBody
        #expect(body["NetworkingConfig"]?["EndpointsConfig"]?.objectValue?.keys.sorted() == ["front"])
        #expect(body["Env"] == ["TOKEN=s3cret", "MODE=prod"])
        #expect(body["HostConfig"]?["Tmpfs"] == ["/run": "size=1m"])
    }

    @Test("container: network mode drops hostname; host and none attach no endpoints")
    func sharedNetworkNamespace() throws {
        let shared = Self.inspect
            .replacingOccurrences(of: "\"NetworkMode\": \"front\"", with: "\"NetworkMode\": \"container:abc\"")
        let c = try Self.container(shared)
        #expect(!c.spec.config.keys.contains("Hostname"))
        #expect(c.spec.networks.isEmpty)
        #expect(c.spec.createBody.objectValue?.keys.contains("NetworkingConfig") == false)
        let host = try Self.container(Self.inspect
            .replacingOccurrences(of: "\"NetworkMode\": \"front\"", with: "\"NetworkMode\": \"host\""))
        #expect(host.spec.networks.isEmpty)
        #expect(host.spec.config["Hostname"] == "myhost")
    }

    @Test("security options: replaced in either spelling, removed with nil")
    func securityOptions() throws {
        var spec = try Self.container().spec
        #expect(spec.securityOption("seccomp") == "unconfined")
        #expect(spec.securityOption("no-new-privileges") == "")
        #expect(spec.securityOption("apparmor") == nil)
        spec.setSecurityOption("seccomp", "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}")
        #expect(spec.securityOptions == ["no-new-privileges", "seccomp={\"defaultAction\":\"SCMP_ACT_ERRNO\"}"])
        spec.setSecurityOption("seccomp", nil)
        #expect(spec.securityOptions == ["no-new-privileges"])
        spec.setSecurityOption("no-new-privileges", nil)
        #expect(spec.hostConfig["SecurityOpt"] == .null)
    }

    @Test("mounts: add refuses a taken target, remove finds binds, mounts and tmpfs")
    func mounts() throws {
        var spec = try Self.container().spec
        #expect(spec.mountTargets == ["/etc/app", "/data", "/run", "/cache"])
        #expect(throws: RecreateError.self) { try spec.addMount(MountSpec(type: "volume", source: "x", target: "/data")) }
        try spec.addMount(MountSpec(type: "volume", source: "keys", target: "/keys", readOnly: true))
        #expect(spec.mounts.last == ["Type": "volume", "Source": "keys", "Target": "/keys", "ReadOnly": true])
        let removedBind = spec.removeMount(target: "/etc/app")
        #expect(removedBind)
        #expect(spec.binds.isEmpty && spec.hostConfig["Binds"] == .null)
        let removedTmpfs = spec.removeMount(target: "/run")
        #expect(removedTmpfs)
        #expect(spec.hostConfig["Tmpfs"] == .null)
        let removedNothing = spec.removeMount(target: "/nowhere")
        #expect(!removedNothing)
        #expect(ContainerCreateSpec.bindTarget("/data:ro") == "/data")
        #expect(ContainerCreateSpec.bindTarget("vol:/data") == "/data")
        #expect(ContainerCreateSpec.bindTarget("/data") == "/data")
    }

    @Test("networks: disconnecting the primary promotes the next, the last leaves none")
    func networks() throws {
        var spec = try Self.container().spec
        spec.disconnect(network: "front")
        #expect(spec.networkMode == "back")
        #expect(spec.primaryNetwork == "back")
        spec.connect(network: "mid", aliases: ["api"], ipv4Address: "10.9.0.5")
        #expect(spec.networks["mid"] == ["Aliases": ["api"], "IPAMConfig": ["IPv4Address": "10.9.0.5"]])
        #expect(spec.secondaryNetworks == ["mid"])
        spec.disconnect(network: "back")
        spec.disconnect(network: "mid")
        #expect(spec.networkMode == "none")
        spec.connect(network: "solo")
        #expect(spec.networkMode == "solo")
    }

    @Test("plan differences: env values hidden, long values cut and fingerprinted")
    func differences() throws {
        let base = try Self.container().spec
        var changed = base
        let profile = String(repeating: "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}", count: 10)
        changed.setSecurityOption("seccomp", profile)
        changed.config["Env"] = ["TOKEN=other", "MODE=prod"]
        let diffs = SpecDiff.differences(base, changed)
        #expect(diffs.map(\.path) == ["Config.Env", "HostConfig.SecurityOpt"])
        #expect(!diffs[0].description.contains("s3cret") && !diffs[0].description.contains("other"))
        #expect(diffs[0].after == "[\"TOKEN=…\",\"MODE=…\"]")
        let digest = SHA256.hex(Array("seccomp=\(profile)".utf8)).prefix(12)
        #expect(diffs[1].after.contains("(\("seccomp=\(profile)".utf8.count) bytes, sha256 \(digest))"))
        #expect(diffs[1].before == "[\"no-new-privileges\",\"seccomp:unconfined\"]")
        #expect(SpecDiff.differences(base, base).isEmpty)
    }

    @Test("a paused, restarting or running --rm container is refused with what to do")
    func refusals() throws {
        for (status, running, autoRemove, words) in [("paused", true, false, "docker unpause web"),
                                                     ("restarting", true, false, "restarting"),
                                                     ("running", true, true, "--rm")] {
            var c = try Self.container()
            c.status = status
            c.isRunning = running
            c.autoRemove = autoRemove
            #expect(throws: RecreateError.self) { try ContainerRecreator.checkRecreatable(c) }
            do { try ContainerRecreator.checkRecreatable(c) } catch { #expect("\(error)".contains(words)) }
        }
        var stoppedAutoRemove = try Self.container()
        stoppedAutoRemove.status = "created"
        stoppedAutoRemove.isRunning = false
        stoppedAutoRemove.autoRemove = true
        try ContainerRecreator.checkRecreatable(stoppedAutoRemove)
    }

    @Test("failure text says whether rollback completed and how to finish by hand")
    func failureText() {
        let step = RecreateStep(kind: .start, target: "web", description: "start the new web")
        var failure = RecreateFailure(step: step, reason: "bad profile", rollback: [RollbackStep(action: "remove", error: nil)],
                                      name: "web", asideName: "web-contsec-old-1", newContainerLogTail: "secret log")
        #expect(failure.rolledBack)
        #expect(failure.description.contains("rolled back"))
        #expect(!failure.description.contains("secret log"))
        failure.rollback.append(RollbackStep(action: "rename web-contsec-old-1 back to web", error: "name in use"))
        #expect(!failure.rolledBack)
        #expect(failure.description.contains("ROLLBACK INCOMPLETE"))
        #expect(failure.description.contains("docker rename web-contsec-old-1 web"))
    }
}
