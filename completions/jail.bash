# bash completion for jail(8), jls(8), jexec(8) and rctl(8) of Jails for Linux.
#
# One file for the four names of one binary. scripts/install.sh puts it in
# .../bash-completion/completions/jail, with links jls, jexec and rctl, where
# bash-completion loads it on first use; it can also be sourced from ~/.bashrc. It uses
# nothing of bash-completion's own. Jail names come from `jls name`, the jails of a
# configuration file from `jail -e`.

# BEGIN GENERATED LISTS
# Generated from Sources/JailConf/ParameterTable.swift and Sources/Rctl/Resource.swift
# by Tests/JailsTests/DocsTests.swift; after changing either, run
# JAILCONF_UPDATE_DOCS=1 swift test --filter DocsTests
# booleans jail -c and -m take
_jail_bool_params='
    ip4.saddrsel ip6.saddrsel persist allow.sysvipc allow.raw_sockets allow.chflags
    allow.read_msgbuf allow.socket_af allow.mlock allow.reserved_ports
    allow.unprivileged_proc_debug allow.suser allow.adjtime allow.settime exec.clean
    exec.system_jail_user ip_hostname mount.devfs mount.fdescfs mount.procfs
'
# parameters that take a value
_jail_value_params='
    jid name path ip4.addr ip6.addr host.hostname host.domainname securelevel devfs_ruleset
    children.max enforce_statfs meta env exec.prepare exec.prestart exec.created exec.start
    command exec.poststart exec.prestop exec.stop exec.poststop exec.release exec.jail_user
    exec.system_user exec.timeout exec.consolelog stop.timeout stop.signal init interface
    thin.base rctl vnet.interface vnet.bridge mount mount.fstab depend
'
# disable, new or inherit
_jail_jailsys_params='
    ip4 ip6 sysvmsg sysvsem sysvshm
'
# new or inherit
_jail_new_inherit_params='
    vnet host
'
# everything jls can show
_jail_jls_params='
    jid name path ip4.addr ip4.saddrsel ip4 ip6.addr ip6.saddrsel ip6 vnet host.hostname
    host.domainname host.hostuuid host.hostid host securelevel devfs_ruleset children.max
    children.cur enforce_statfs persist cpuset.id dying parent osrelease osreldate meta env
    mac.label desc allow.set_hostname allow.sysvipc allow.raw_sockets allow.chflags
    allow.mount allow.mount.devfs allow.mount.fdescfs allow.mount.fusefs allow.mount.nullfs
    allow.mount.procfs allow.mount.linprocfs allow.mount.linsysfs allow.mount.tmpfs
    allow.mount.zfs allow.quotas allow.read_msgbuf allow.socket_af allow.mlock allow.nfsd
    allow.reserved_ports allow.unprivileged_parent_tampering allow.unprivileged_proc_debug
    allow.suser allow.extattr allow.adjtime allow.settime allow.routing allow.setaudit
    allow.vmm allow.vmm_ppt sysvmsg sysvsem sysvshm linux linux.osname linux.osrelease
    linux.oss_version zfs.mount_snapshot exec.prepare exec.prestart exec.created exec.start
    command exec.poststart exec.prestop exec.stop exec.poststop exec.release exec.clean
    exec.jail_user exec.system_jail_user exec.system_user exec.timeout exec.consolelog
    exec.fib stop.timeout stop.signal init interface thin.base rctl vnet.interface
    vnet.bridge zfs.dataset ip_hostname mount mount.fstab mount.devfs mount.fdescfs
    mount.procfs allow.dying depend
'
# rctl resources
_jail_rctl_resources='
    cputime datasize stacksize coredumpsize memoryuse memorylocked maxproc openfiles
    vmemoryuse pseudoterminals swapuse nthr msgqqueued msgqsize nmsgq nsem nsemop nshm
    shmsize wallclock pcpu readbps writebps readiops writeiops
'
# END GENERATED LISTS

# Sets _jail_w to the words of the line up to the cursor and _jail_cur to the word being
# completed, whole: readline splits words at '=', ':' and '|' (COMP_WORDBREAKS), which
# parameters, rctl rules and addresses contain.
_jail_words() {
    local line=${COMP_LINE:0:COMP_POINT}
    read -ra _jail_w <<<"$line"
    if [[ -z $line || $line == *[[:space:]] ]]; then
        _jail_w+=("")
    fi
    _jail_cur=${_jail_w[${#_jail_w[@]}-1]}
}

# _jail_reply WORD CANDIDATE...: COMPREPLY is the candidates that begin with WORD, less
# the part of WORD readline holds as earlier words (up to its last '=', ':' or '|').
_jail_reply() {
    local cur=$1 prefix= breaks= b c
    shift
    for b in '|' : =; do
        [[ $COMP_WORDBREAKS == *"$b"* ]] && breaks+=$b
    done
    if [[ -n $breaks && $cur == *[$breaks]* ]]; then
        prefix=${cur%"${cur##*[$breaks]}"}
    fi
    COMPREPLY=()
    for c in "$@"; do
        [[ $c == "$cur"* ]] && COMPREPLY+=("${c#"$prefix"}")
    done
    # A parameter name, a rule's field or a list item goes on: no space after it.
    if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *[=:\|,] ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

# _jail_files -d|-f WORD [PREFIX]: directories or files named after PREFIX in WORD.
_jail_files() {
    local kind=$1 cur=$2 prefix=${3-}
    local -a found
    mapfile -t found < <(compgen "$kind" -- "${cur#"$prefix"}")
    compopt -o filenames 2>/dev/null
    _jail_reply "$cur" "${found[@]/#/$prefix}"
}

# _jail_items WORD ITEM...: the last item of a comma-separated list.
_jail_items() {
    local cur=$1 head=
    shift
    [[ $cur == *,* ]] && head=${cur%,*},
    _jail_reply "$cur" "${@/#/$head}"
}

_jail_running() {
    command jls name 2>/dev/null
}

# The jails a configuration file defines (the default one without an argument).
_jail_configured() {
    local -a fields
    local field
    while read -ra fields; do
        for field in "${fields[@]}"; do
            [[ $field == name=* ]] && printf '%s\n' "${field#name=}"
        done
    done < <(command jail ${1:+-f "$1"} -e ' ' 2>/dev/null)
}

# Jails `jail start` finds: those of jail.conf, jail.conf.d/NAME.conf and jail.NAME.conf.
_jail_defined() {
    local etc=${JAIL_CONF_DIR:-/etc} file
    _jail_configured "$etc/jail.conf"
    for file in "$etc"/jail.conf.d/*.conf "$etc"/jail.*.conf; do
        [[ -e $file ]] || continue
        file=${file##*/}
        file=${file#jail.}
        printf '%s\n' "${file%.conf}"
    done
}

# Jails `jail destroy` takes: those `jail create` made.
_jail_created() {
    local file first
    for file in "${JAIL_CONF_DIR:-/etc}"/jail.conf.d/*.conf; do
        [[ -r $file ]] && read -r first <"$file" && [[ $first == "# Created by jail create"* ]] || continue
        file=${file##*/}
        printf '%s\n' "${file%.conf}"
    done
}

_jail_interfaces() {
    local dev
    for dev in /sys/class/net/*; do
        [[ -e $dev ]] && printf '%s\n' "${dev##*/}"
    done
}

_jail_bridges() {
    local dev
    for dev in /sys/class/net/*/bridge; do
        [[ -e $dev ]] && dev=${dev%/bridge} && printf '%s\n' "${dev##*/}"
    done
}

_jail_has() { # _jail_has WORD LIST
    [[ " ${2//$'\n'/ } " == *" $1 "* ]]
}

# The value of a name=value word; CONF is the -f file.
_jail_value() {
    local cur=$1 conf=$2 name=${1%%=*} value=${1#*=}
    if _jail_has "$name" "$_jail_bool_params"; then
        _jail_reply "$cur" "$name=true" "$name=false"
    elif _jail_has "$name" "$_jail_jailsys_params"; then
        _jail_reply "$cur" "$name=disable" "$name=new" "$name=inherit"
    elif _jail_has "$name" "$_jail_new_inherit_params"; then
        _jail_reply "$cur" "$name=new" "$name=inherit"
    else
        case $name in
        path | thin.base) _jail_files -d "$cur" "$name=" ;;
        mount.fstab | exec.consolelog) _jail_files -f "$cur" "$name=" ;;
        command) _jail_reply "$cur" $(compgen -c -- "$value" | sed "s/^/command=/") ;;
        exec.jail_user | exec.system_user) _jail_reply "$cur" $(compgen -u | sed "s/^/$name=/") ;;
        interface | vnet.interface) _jail_reply "$cur" $(_jail_interfaces | sed "s/^/$name=/") ;;
        vnet.bridge) _jail_reply "$cur" $(_jail_bridges | sed "s/^/$name=/; s/\$/|/") ;;
        depend) _jail_reply "$cur" $(_jail_configured "$conf" | sed "s/^/$name=/") ;;
        devfs_ruleset) _jail_reply "$cur" "$name="{0,1,2,3,4,5} ;;
        enforce_statfs) _jail_reply "$cur" "$name=1" "$name=2" ;;
        securelevel) _jail_reply "$cur" "$name=-1" "$name=0" ;;
        esac
    fi
}

_jail() {
    local _jail_w _jail_cur
    _jail_words
    local cur=$_jail_cur n=${#_jail_w[@]}
    COMPREPLY=()

    # The Linux extensions, after their own word.
    if ((n > 2)); then
        case ${_jail_w[1]} in
        list)
            ((n == 3)) && _jail_reply "$cur" -h
            return 0
            ;;
        ps | umount | unmount)
            ((n == 3)) && _jail_reply "$cur" $(_jail_running)
            return 0
            ;;
        kill)
            if ((n == 3)); then
                _jail_reply "$cur" $(_jail_running)
            elif ((n == 4)) && [[ $cur == -* ]]; then
                _jail_reply "$cur" -HUP -INT -QUIT -KILL -TERM -USR1 -USR2 -STOP -CONT -ALRM
            fi
            return 0
            ;;
        mount)
            case $n in
            3) _jail_reply "$cur" $(_jail_running) ;;
            4) _jail_files -d "$cur" ;;
            6) _jail_items "$cur" ro rw nosuid noexec nodev rbind ;;
            esac
            return 0
            ;;
        epair)
            case $n in
            3) _jail_reply "$cur" create destroy ;;
            5) [[ ${_jail_w[2]} == create ]] && _jail_reply "$cur" $(_jail_bridges) ;;
            esac
            return 0
            ;;
        nano)
            # nano [-nqv] program --into dir [--with path ...] [--nss] [--gconv] [--libgcc]
            if [[ ${_jail_w[n-2]} == --into ]]; then
                _jail_files -d "$cur"
            elif [[ $cur == -* ]]; then
                _jail_reply "$cur" --into --with --nss --gconv --libgcc -n -q -v
            else
                _jail_files -f "$cur"
            fi
            return 0
            ;;
        start)
            _jail_reply "$cur" --all $(_jail_defined)
            return 0
            ;;
        stop)
            _jail_reply "$cur" --all $(_jail_running)
            return 0
            ;;
        restart)
            _jail_reply "$cur" $(_jail_running)
            return 0
            ;;
        console | passwd)
            ((n == 3)) && _jail_reply "$cur" $(_jail_running)
            return 0
            ;;
        destroy)
            ((n == 3)) && _jail_reply "$cur" $(_jail_created)
            return 0
            ;;
        create)
            # create NAME --from TREE [--thin] [param=value ...]: every parameter with a value.
            if ((n == 3)); then
                return 0
            elif [[ ${_jail_w[n-2]} == --from ]]; then
                _jail_files -d "$cur"
            elif [[ $cur == -* ]]; then
                _jail_reply "$cur" --from --thin
            elif [[ $cur == *=* ]]; then
                _jail_value "$cur" ""
            else
                local w
                local -a named=()
                for w in $_jail_value_params $_jail_jailsys_params $_jail_new_inherit_params; do
                    named+=("$w=")
                done
                _jail_reply "$cur" "${named[@]}"
            fi
            return 0
            ;;
        esac
    fi

    # getopt's view of the words before this one: the flags given, the -f file, whether
    # this word is an option's argument, and the operands so far.
    local i j c w mode= conf= arg= operands=0 command=
    for ((i = 1; i < n - 1; i++)); do
        w=${_jail_w[i]}
        if [[ -n $arg ]]; then
            [[ $arg == f ]] && conf=$w
            arg=
        elif ((operands == 0)) && [[ $w == -- ]]; then
            operands=-1
        elif ((operands == 0)) && [[ $w == -?* ]]; then
            for ((j = 1; j < ${#w}; j++)); do
                c=${w:j:1}
                case $c in
                [efJnpsuU])
                    if ((j + 1 < ${#w})); then
                        [[ $c == f ]] && conf=${w:j+1}
                    else
                        arg=$c
                    fi
                    break
                    ;;
                *) mode+=$c ;;
                esac
            done
        else
            ((operands < 1)) && operands=0
            ((operands++))
            [[ $w == command || $w == command=* ]] && command=1
        fi
    done

    if [[ -n $arg ]]; then
        case $arg in
        f | J) _jail_files -f "$cur" ;;
        u) _jail_reply "$cur" $(compgen -u) ;;
        s) _jail_reply "$cur" -1 0 ;;
        esac
        return 0
    fi
    if ((operands == 0)) && [[ $cur == -* ]]; then
        _jail_reply "$cur" -c -C -d -e -f -h -i -J -l -m -n -p -q -r -R -s -u -U -v # getopt's flags
        return 0
    fi
    if [[ -n $command ]]; then
        _jail_files -f "$cur" # the command's arguments
        return 0
    fi
    if [[ $cur == *=* ]]; then
        _jail_value "$cur" "$conf"
        return 0
    fi

    local -a candidates=()
    if [[ $mode == *[cm]* ]]; then
        [[ $mode == *c* ]] && candidates+=($(_jail_configured "$conf"))
        [[ $mode == *m* || $mode == *r* ]] && candidates+=($(_jail_running))
        candidates+=($_jail_bool_params)
        for w in $_jail_value_params $_jail_jailsys_params $_jail_new_inherit_params; do
            candidates+=("$w=")
        done
    elif [[ $mode == *[rRC]* ]]; then
        candidates+=("'*'" $(_jail_running))
        [[ $mode == *r* ]] && candidates+=($(_jail_configured "$conf"))
    elif ((operands <= 0)); then
        # No operation flag: a Linux extension, or the old path hostname ip command form.
        if [[ $cur == /* ]]; then
            _jail_files -d "$cur"
            return 0
        fi
        candidates+=(list ps kill mount umount epair nano bootstrap create destroy start stop restart console passwd)
    elif ((operands == 3)); then
        candidates+=($(compgen -c -- "$cur"))
    fi
    _jail_reply "$cur" "${candidates[@]}"
}

_jail_jls() {
    local _jail_w _jail_cur
    _jail_words
    local cur=$_jail_cur n=${#_jail_w[@]}
    local prev=${_jail_w[n-2]}
    COMPREPLY=()
    case $prev in
    -j | -*[!-]j)
        _jail_reply "$cur" $(_jail_running)
        return 0
        ;;
    --libxo)
        _jail_reply "$cur" json
        return 0
        ;;
    esac
    if [[ $cur == -* ]]; then
        _jail_reply "$cur" -a -d -h -N -n -q -s -v -j --libxo # getopt's flags
    else
        _jail_reply "$cur" all $_jail_jls_params
    fi
}

_jail_jexec() {
    local _jail_w _jail_cur
    _jail_words
    local cur=$_jail_cur n=${#_jail_w[@]}
    local i j c w arg= operands=0
    COMPREPLY=()
    for ((i = 1; i < n - 1; i++)); do
        w=${_jail_w[i]}
        if [[ -n $arg ]]; then
            arg=
        elif ((operands == 0)) && [[ $w == -- ]]; then
            operands=-1
        elif ((operands == 0)) && [[ $w == -?* ]]; then
            for ((j = 1; j < ${#w}; j++)); do
                c=${w:j:1}
                if [[ $c == [deuU] ]]; then
                    ((j + 1 < ${#w})) || arg=$c
                    break
                fi
            done
        else
            ((operands < 1)) && operands=0
            ((operands++))
        fi
    done
    if [[ -n $arg ]]; then
        [[ $arg == u ]] && _jail_reply "$cur" $(compgen -u)
        return 0
    fi
    if ((operands == 0)) && [[ $cur == -* ]]; then
        _jail_reply "$cur" -d -e -l -u -U # getopt's flags but -n, which is ignored
    elif ((operands <= 0)); then
        _jail_reply "$cur" $(_jail_running)
    elif ((operands == 1)); then
        _jail_reply "$cur" $(compgen -c -- "$cur")
    else
        _jail_files -f "$cur"
    fi
}

_jail_rctl() {
    local _jail_w _jail_cur
    _jail_words
    local cur=$_jail_cur n=${#_jail_w[@]}
    local i w mode=
    COMPREPLY=()
    for ((i = 1; i < n - 1; i++)); do
        w=${_jail_w[i]}
        [[ $w == -* ]] && mode+=${w#-}
    done
    if [[ $cur == -* ]]; then
        _jail_reply "$cur" -a -h -l -n -r -u # getopt's flags
        return 0
    fi
    local -a candidates=()
    local jail r
    case $cur in
    jail:*:*:*)
        r=${cur%:*}
        [[ $mode == *a* ]] && candidates=("$r:deny=" "$r:throttle=")
        ;;
    jail:*:*)
        jail=${cur#jail:}
        jail=${jail%%:*}
        for r in $_jail_rctl_resources; do
            if [[ $mode == *a* ]]; then
                candidates+=("jail:$jail:$r:")
            else
                candidates+=("jail:$jail:$r")
            fi
        done
        ;;
    jail:*)
        for jail in $(_jail_running); do
            if [[ $mode == *u* ]]; then
                candidates+=("jail:$jail")
            else
                candidates+=("jail:$jail:")
            fi
        done
        ;;
    *)
        if [[ $mode == *l* ]]; then
            candidates=(process:)
        else
            candidates=(jail:)
        fi
        ;;
    esac
    _jail_reply "$cur" "${candidates[@]}"
}

complete -F _jail jail
complete -F _jail_jls jls
complete -F _jail_jexec jexec
complete -F _jail_rctl rctl
