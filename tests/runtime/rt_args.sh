# rt_args.sh - the argument list run.sh and nic_run.sh share, sourced by both (bash):
#   <name> <log dir> <tree> <scripts/qemu> <petrel.elf> <image> <binary> <rt_exec> ENV=... -- argv...
# rt_args "$@" sets name, logdir, tree, qemu, kernel, image, binary, rtexec, the array envs
# (the ENV=... words) and the array argv (what follows --).
rt_args() {
    name=$1 logdir=$2 tree=$3 qemu=$4 kernel=$5 image=$6 binary=$7 rtexec=$8
    shift 8
    envs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        envs+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    argv=("$@")
}
