// SPDX-License-Identifier: MIT
/* The console command line's editor and parser (vmm_cmd.h). */
#include <axvm/vmm_cmd.h>

void vmm_line_reset(struct vmm_line *l)
{
    l->len = 0;
    l->text[0] = '\0';
}

enum vmm_key vmm_line_key(struct vmm_line *l, char c)
{
    if (c == '\r' || c == '\n')
        return VMM_KEY_RUN;
    if (c == 0x03 || c == 0x1b || c == 0x1d) /* Ctrl-C, Escape, Ctrl-] */
        return VMM_KEY_CANCEL;
    if (c == '\b' || c == 0x7f) {
        if (!l->len)
            return VMM_KEY_IGNORE;
        l->text[--l->len] = '\0';
        return VMM_KEY_ERASE;
    }
    /* Printable ASCII only: the line is echoed on the terminal as it is typed. */
    if (c < 0x20 || c > 0x7e || l->len == VMM_LINE_MAX)
        return VMM_KEY_IGNORE;
    l->text[l->len++] = c;
    l->text[l->len] = '\0';
    return VMM_KEY_ECHO;
}

static const struct {
    const char *word;
    enum vmm_op op;
    bool takes_vm;
} commands[] = {
    {"help", VMM_OP_HELP, false},    {"list", VMM_OP_LIST, false},  {"info", VMM_OP_INFO, true},
    {"log", VMM_OP_LOG, true},       {"start", VMM_OP_START, true}, {"stop", VMM_OP_STOP, true},
    {"reboot", VMM_OP_REBOOT, true},
};

const char *const vmm_cmd_help[] = {
    "help        this list",
    "list        every VM: id, name, state, vCPUs -> pCPUs, boots, exits, memory",
    "info VM     a VM's memory regions, devices, interrupts and exit counts",
    "log VM      replay a VM's recent output",
    "start VM    create and boot a stopped VM again from its config",
    "stop VM     ask a VM to power off; forced after its stop_timeout_ms (again: at once)",
    "reboot VM   restart a running VM from a fresh copy of its image",
    "VM is a VM id or its whole name; Ctrl-C or Escape abandons a command line",
    NULL,
};

/* The next space-separated word of 's' from *i: its start and length (0 at the end). */
static unsigned word(const char *s, unsigned *i, const char **start)
{
    while (s[*i] == ' ' || s[*i] == '\t')
        (*i)++;
    *start = s + *i;
    unsigned n = 0;
    while (s[*i] && s[*i] != ' ' && s[*i] != '\t') {
        (*i)++;
        n++;
    }
    return n;
}

static bool word_is(const char *w, unsigned n, const char *lit)
{
    unsigned i = 0;
    for (; i < n && lit[i]; i++)
        if (w[i] != lit[i])
            return false;
    return i == n && !lit[i];
}

void vmm_cmd_parse(const char *line, struct vmm_cmd *cmd)
{
    cmd->op = VMM_OP_NONE;
    cmd->vm[0] = '\0';
    cmd->error = NULL;
    unsigned i = 0;
    const char *w;
    unsigned n = word(line, &i, &w);
    if (!n)
        return;
    int found = -1;
    for (unsigned k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (word_is(w, n, commands[k].word))
            found = (int)k;
    if (found < 0) {
        cmd->op = VMM_OP_ERROR;
        cmd->error = "unknown command (try help)";
        return;
    }
    const char *a;
    unsigned an = word(line, &i, &a);
    const char *extra;
    unsigned xn = word(line, &i, &extra);
    if (commands[found].takes_vm && !an) {
        cmd->op = VMM_OP_ERROR;
        cmd->error = "which VM? give its id or name";
        return;
    }
    if ((!commands[found].takes_vm && an) || xn) {
        cmd->op = VMM_OP_ERROR;
        cmd->error = "too many arguments";
        return;
    }
    if (an > VMM_LINE_MAX) {
        cmd->op = VMM_OP_ERROR;
        cmd->error = "argument too long";
        return;
    }
    for (unsigned k = 0; k < an; k++)
        cmd->vm[k] = a[k];
    cmd->vm[an] = '\0';
    cmd->op = commands[found].op;
}

static bool is_number(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

int vmm_cmd_match(const char *arg, const unsigned *ids, const char *const *names, unsigned count)
{
    if (is_number(arg)) {
        unsigned long v = 0;
        for (const char *p = arg; *p; p++) {
            v = v * 10 + (unsigned)(*p - '0');
            if (v > 0xffffffffUL)
                return -1;
        }
        for (unsigned i = 0; i < count; i++)
            if (ids[i] == v)
                return (int)i;
        return -1;
    }
    for (unsigned i = 0; i < count; i++) {
        const char *a = arg, *b = names[i];
        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (!*a && !*b)
            return (int)i;
    }
    return -1;
}
