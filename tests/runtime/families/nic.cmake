# nic (docs/testing.md "Through the NIC"): TCP and UDP with a peer on the host, natively over
# the host's own stack and in Petrel through the virtio NIC on QEMU user networking
# (nic_run.sh): the guest connecting out to the host (tcp_out, udp_out: 10.0.2.2) and the
# host connecting in through a hostfwd forward (tcp_in, udp_in). The program (progs/nic_io.c)
# and the peer (peers/nic_peer.c, built once for the host) print what they saw; both outputs
# are compared with the native run's.
if(NOT TARGET nic_peer)
    add_executable(nic_peer ${CMAKE_CURRENT_SOURCE_DIR}/peers/nic_peer.c)
    petrel_host_flags(nic_peer)
endif()
rt_prog(nic_io DEPENDS progs/rt_check.h)
foreach(mode tcp_out tcp_in udp_out udp_in)
    # the manifest's arguments are a placeholder: nic_run.sh gives the real ones at boot
    rt_test(${libc}.nic_${mode} ${b}/nic_io ${RT_ROOT} /bin/nic_io ARGS nic_io ${mode}
            RUN ${CMAKE_CURRENT_SOURCE_DIR}/nic_run.sh
            QEMU_ENV PETREL_NIC_PEER=$<TARGET_FILE:nic_peer>)
    set_tests_properties(runtime.${libc}.nic_${mode} PROPERTIES TIMEOUT 120)
endforeach()
