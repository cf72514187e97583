// SPDX-License-Identifier: GPL-2.0
/*
 * hello.ko: the VM rig's own test module. Proves insmod works in the rig
 * before batch.ko exists, and (with warn=1 / oops=1) provokes a kernel WARNING
 * or an Oops so the rig's problem detection can be tested.
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "call WARN_ON(1) on load (to test problem detection)");

static bool oops;
module_param(oops, bool, 0444);
MODULE_PARM_DESC(oops, "dereference NULL on load: an Oops (to test problem detection)");

static int __init hello_init(void)
{
	pr_info("dbatch-vm hello: loaded (warn=%d)\n", warn);
	WARN_ON(warn);
	if (oops) {
		int *volatile p = NULL;

		pr_info("dbatch-vm hello: %d\n", *p);
	}
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("dbatch-vm hello: unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dBatch VM rig test module");
