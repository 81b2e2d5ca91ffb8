/** The words the sharing pages show for the API's enums, and how they load their lists. */
import { showNotify } from "vant";
import { type Ref, ref } from "vue";

import type { NeedStatus, ResourceKind, ShareRequestStatus, ShareScope } from "../gql/graphql";

export const KIND_NAMES: Record<ResourceKind, string> = {
  VENUE: "场地",
  EQUIPMENT: "设备",
  GOODS: "物资",
  EXPERTISE: "专业服务",
  FUNDS: "资金",
  VOLUNTEERS: "志愿者",
};

export const SCOPE_NAMES: Record<ShareScope, string> = { STREET: "本街道", DISTRICT: "全区", ALL: "全平台" };

export const REQUEST_NAMES: Record<ShareRequestStatus, string> = {
  REQUESTED: "待审批",
  APPROVED: "已批准",
  DECLINED: "已拒绝",
  SCHEDULED: "已排期",
  DELIVERED: "已交付",
  CANCELLED: "已取消",
};

export const NEED_NAMES: Record<NeedStatus, string> = { OPEN: "待认领", CLAIMED: "已认领", COMPLETED: "已完成" };

/** A list a page loads (and reloads): its rows, whether the first load ended, and `load`. A
 * failed load keeps the rows it had and says why in a notification. */
export function useList<T>(fetch: () => Promise<T[]>): { rows: Ref<T[]>; loaded: Ref<boolean>; load: () => Promise<void> } {
  const rows = ref<T[]>([]) as Ref<T[]>;
  const loaded = ref(false);
  async function load(): Promise<void> {
    try {
      rows.value = await fetch();
    } catch (error) {
      showNotify({ type: "danger", message: String(error instanceof Error ? error.message : error) });
    } finally {
      loaded.value = true;
    }
  }
  return { rows, loaded, load };
}
